//! Content refresh as a resident and a technician see the screen, on Slint's testing backend:
//!
//! 1. A kiosk with no content shows 内容准备中 and opens the home page by itself once the sync
//!    client (here: `kiosk::sync::client::update` from a published repository folder) installs
//!    content.
//! 2. A release installed while a resident reads a law does not switch under their finger: the
//!    switch waits for the home page and a few quiet seconds; then the hall name, a guide and
//!    the service points and the queue services of the new release are what the kiosk shows
//!    and the desk issues.
//!
//! One test function: the testing backend is process-wide.

mod support;

use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::time::Duration;

use i_slint_backend_testing::mock_elapsed_time;
use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::speech::RecordingSpeaker;
use kiosk::sync::client::{self, Outcome, Source};
use kiosk::ui::controller::Controller;
use kiosk::ui::{AppWindow, Guides, Hall, MapView, Nav, Page, Queue};
use slint::{ComponentHandle, Model};
use support::cli::ok;

fn publish(content: &Path, version: &str, tmp: &Path) {
    let bundle = tmp.join(format!("bundle-{version}"));
    let (c, b) = (content.to_str().unwrap(), bundle.to_str().unwrap());
    ok(&["bundle", "build", c, "-o", b, "--content-version", version]);
    let (repo, keys) = (tmp.join("repo"), tmp.join("keys"));
    ok(&["publish", b, "--repo", repo.to_str().unwrap(), "--keys", keys.to_str().unwrap()]);
}

fn update(tmp: &Path, data: &Path) -> Outcome {
    let root = tmp.join("keys/roots/1.root.json");
    client::update(data, &Source::Dir(tmp.join("repo")), Some(&root), &root).unwrap().outcome
}

#[test]
fn first_content_and_a_release_switch_at_a_quiet_moment() {
    i_slint_backend_testing::init_no_event_loop();
    let tmp = tempfile::tempdir().unwrap();
    let tmp = tmp.path();
    let content = tmp.join("content");
    support::copy_dir(&support::repo().join("content"), &content);
    ok(&["keys", "init", "--keys", tmp.join("keys").to_str().unwrap()]);
    let data = tmp.join("data");
    let config = Config {
        data_dir: data.clone(),
        speech: false,
        queue_dir: Some(tmp.join("queue")),
        ..Config::default()
    };

    // ---- 1. No content: 内容准备中, then home by itself --------------------------------
    let opened: Rc<Cell<bool>> = Rc::default();
    let app: Rc<std::cell::RefCell<Option<Rc<Controller>>>> = Rc::default();
    let (o, a, cfg) = (opened.clone(), app.clone(), config.clone());
    let preparing = kiosk::ui::preparing::show_until_content(&config, move |store| {
        let window = AppWindow::new()?;
        let ctrl = Controller::with_speaker(window, store, &cfg, RecordingSpeaker::default());
        ctrl.window().show()?;
        o.set(true);
        *a.borrow_mut() = Some(ctrl.clone());
        Ok(ctrl)
    })
    .unwrap();
    mock_elapsed_time(Duration::from_secs(10));
    assert!(!opened.get(), "nothing to open yet");
    assert!(preparing.window().is_visible());

    publish(&content, "v1", tmp);
    assert!(matches!(update(tmp, &data), Outcome::Installed(_)));
    mock_elapsed_time(Duration::from_secs(4));
    assert!(opened.get(), "content arrived: the home page opens");
    assert!(!preparing.window().is_visible());
    let ctrl = app.borrow().clone().unwrap();
    let w = ctrl.window();
    assert_eq!(w.global::<Hall>().get_content_version(), "v1");

    // ---- 2. A release arrives while a resident reads -----------------------------------
    ctrl.open_law_by_name("民法典", Some(1079)).unwrap();
    assert_eq!(w.global::<Nav>().get_page(), Page::Reader);
    let hall = std::fs::read_to_string(content.join("hall.toml")).unwrap();
    let hall = hall.replacen(
        "hall_name = \"榆林市公共法律服务中心\"",
        "hall_name = \"榆林市公共法律服务中心（新址）\"",
        1,
    );
    std::fs::write(content.join("hall.toml"), hall).unwrap();
    support::reletter_queue(&content, "A", "L");
    let guide = content.join("guides/legal-aid.toml");
    let text = std::fs::read_to_string(&guide).unwrap();
    std::fs::write(&guide, text.replace("name = \"法律援助申请\"", "name = \"申请法律援助\""))
        .unwrap();
    let points = content.join("service-points.toml");
    let text = std::fs::read_to_string(&points).unwrap();
    std::fs::write(
        &points,
        text.replacen("榆林市法律援助中心（示例）", "榆林市法律援助中心（新址，示例）", 1),
    )
    .unwrap();
    publish(&content, "v2", tmp);
    assert!(matches!(update(tmp, &data), Outcome::Installed(_)));
    assert_eq!(Store::open(&data).unwrap().info().content_version, "v2");

    mock_elapsed_time(Duration::from_secs(30));
    assert_eq!(w.global::<Hall>().get_content_version(), "v1", "no switch mid-reading");
    assert_eq!(w.global::<Nav>().get_page(), Page::Reader);

    // The resident taps Home and leaves; a few quiet seconds later the kiosk switches.
    ctrl.activity();
    w.global::<Nav>().invoke_home();
    mock_elapsed_time(Duration::from_secs(1));
    // (Home itself may switch at once; either way the next resident sees v2.)
    mock_elapsed_time(Duration::from_secs(6));
    assert_eq!(w.global::<Hall>().get_content_version(), "v2");
    // (The name carries word joiners: it breaks only after its place, 榆林市.)
    assert_eq!(
        w.global::<Hall>().get_name().replace('\u{2060}', ""),
        "榆林市公共法律服务中心（新址）"
    );
    let g = w.global::<Guides>();
    g.invoke_open_guides();
    assert!(g.get_rows().iter().any(|r| r.name == "申请法律援助"), "the guide list follows");
    w.global::<Nav>().invoke_home();
    w.global::<MapView>().invoke_open_list();
    assert!(
        w.global::<MapView>()
            .get_rows()
            .iter()
            .any(|r| r.name == "榆林市法律援助中心（新址，示例）"),
        "the service points follow"
    );
    w.global::<Nav>().invoke_home();
    ctrl.open_queue(Some("L"));
    let q = w.global::<Queue>();
    assert_eq!(q.get_selected(), "L", "the desk has the re-lettered service");
    assert!(q.get_services().iter().any(|s| s.letter == "L" && s.name == "法律援助"));
    drop(preparing);
}
