//! 法治宣传 on the idle screen, on Slint's testing backend with the demo content's posters:
//!
//! 1. The home page untouched for the idle time gives way to the posters whose dates include
//!    today, each for its own seconds, decoded from the store; 暂停 holds one; a touch ends
//!    the loop and lands on the home page without pressing what is under the finger.
//! 2. The schedule: another day shows another set of posters, a day with none shows nothing.
//! 3. After an idle reset the posters come again once the idle time passes at home.
//! 4. A broken poster is refused by the bundle builder with a clear word.
//!
//! One test function for the UI: the testing backend is process-wide.

mod support;

use std::rc::Rc;
use std::time::Duration;

use i_slint_backend_testing::mock_elapsed_time;
use kiosk::app::config::Config;
use kiosk::content::source::ContentSource;
use kiosk::content::Store;
use kiosk::ui::controller::Controller;
use kiosk::ui::{AppWindow, Attract, Hall, Nav, Page};
use slint::ComponentHandle;

const IDLE_SECS: u64 = 60;

fn kiosk(config: &Config, now: &str) -> Rc<Controller> {
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let ctrl = Controller::new(window, Store::open(&config.data_dir).unwrap(), config);
    ctrl.window().show().unwrap();
    ctrl.set_now(at(now));
    ctrl
}

fn at(day: &str) -> chrono::NaiveDateTime {
    chrono::NaiveDateTime::parse_from_str(&format!("{day}T09:30"), "%Y-%m-%dT%H:%M").unwrap()
}

#[test]
fn posters_follow_the_calendar_pause_and_give_way_to_a_touch() {
    i_slint_backend_testing::init_no_event_loop();
    let config = Config {
        data_dir: support::demo_store().to_owned(),
        idle_timeout_secs: IDLE_SECS,
        speech: false,
        ..Config::default()
    };
    // 23 November: the wages drive (from 15 November) and legal aid (all year); 国家宪法日's
    // posters start on the 27th, 民法典宣传月's in May.
    let ctrl = kiosk(&config, "2026-11-23");
    let w = ctrl.window();
    let attract = w.global::<Attract>();
    assert!(!attract.get_showing());

    // ---- 1. The loop ------------------------------------------------------------------------
    mock_elapsed_time(Duration::from_secs(IDLE_SECS + 1));
    assert!(attract.get_showing(), "the home page stood idle and no poster came");
    assert_eq!((attract.get_index(), attract.get_count()), (1, 2));
    assert!(attract.get_text().starts_with("法律援助，是国家建立的"), "{}", attract.get_text());
    assert_eq!(attract.get_source(), "《中华人民共和国法律援助法》第二条");
    let size = attract.get_poster().size();
    assert_eq!((size.width, size.height), (960, 1200), "the PNG decoded from the store");
    // legal-aid.toml asks for 12 seconds, the next poster takes the default 10.
    mock_elapsed_time(Duration::from_secs(11));
    assert_eq!(attract.get_index(), 1, "turned before its 12 seconds");
    mock_elapsed_time(Duration::from_secs(2));
    assert_eq!(attract.get_index(), 2);
    assert!(attract.get_text().starts_with("农民工有按时足额获得工资的权利"));
    mock_elapsed_time(Duration::from_secs(10));
    assert_eq!(attract.get_index(), 1, "the loop goes round");
    // 暂停 holds the poster for as long as it takes to read.
    attract.invoke_toggle_pause();
    assert!(attract.get_paused());
    mock_elapsed_time(Duration::from_secs(45));
    assert_eq!(attract.get_index(), 1, "a held poster moved on");
    attract.invoke_toggle_pause();
    mock_elapsed_time(Duration::from_secs(13));
    assert_eq!(attract.get_index(), 2, "继续 did not resume");
    // A touch anywhere: the loop ends on the home page, nothing under the finger was pressed.
    attract.invoke_dismiss();
    assert!(!attract.get_showing());
    assert_eq!(attract.get_poster().size().width, 0, "the picture is let go");
    assert_eq!(w.global::<Nav>().get_page(), Page::Home);
    // The touch counted as activity: no poster before the idle time has passed again.
    mock_elapsed_time(Duration::from_secs(IDLE_SECS - 5));
    assert!(!attract.get_showing());
    mock_elapsed_time(Duration::from_secs(6));
    assert!(attract.get_showing());
    attract.invoke_dismiss();

    // ---- 2. The schedule --------------------------------------------------------------------
    for (day, count) in [("2026-12-04", 3), ("2027-05-10", 2), ("2028-01-01", 0)] {
        ctrl.set_now(at(day));
        assert_eq!(ctrl.start_attract(), count > 0, "{day}");
        assert_eq!(attract.get_showing(), count > 0, "{day}");
        if count > 0 {
            assert_eq!(attract.get_count(), count, "{day}");
            attract.invoke_dismiss();
        }
    }
    ctrl.set_now(at("2026-12-04"));

    // ---- 3. Not while a resident is here; again after the idle reset ------------------------
    w.global::<Hall>().invoke_open_library();
    mock_elapsed_time(Duration::from_secs(IDLE_SECS + 1));
    assert!(!attract.get_showing(), "posters over a resident's page");
    assert!(w.global::<kiosk::ui::Session>().get_prompt_visible());
    mock_elapsed_time(Duration::from_secs(21));
    assert_eq!(w.global::<Nav>().get_page(), Page::Home, "the idle reset");
    assert!(!attract.get_showing());
    mock_elapsed_time(Duration::from_secs(IDLE_SECS + 1));
    assert!(attract.get_showing(), "no posters after the reset");
    assert!(attract.get_text().starts_with("中华人民共和国公民在法律面前一律平等"));
}

/// `bundle build` refuses a poster that is not a picture, and names the file.
#[test]
fn a_broken_poster_is_refused_at_build() {
    let tmp = tempfile::tempdir().unwrap();
    let content = tmp.path().join("content");
    support::copy_dir(&support::repo().join("content"), &content);
    std::fs::write(content.join("campaigns/legal-aid.png"), b"not a png").unwrap();
    let err = ContentSource::load(&content, None).err().expect("a broken poster loads");
    let said = format!("{err:#}");
    assert!(said.contains("legal-aid.png") && said.contains("PNG"), "{said}");
    // Dates that run backwards are refused too.
    support::copy_dir(&support::repo().join("content"), &tmp.path().join("c2"));
    let toml = tmp.path().join("c2/campaigns/civil-code-month.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace("2027-05-31", "2027-04-30");
    std::fs::write(&toml, text).unwrap();
    let err = ContentSource::load(&tmp.path().join("c2"), None).err().expect("backwards dates");
    assert!(format!("{err:#}").contains("after until"), "{err:#}");
}
