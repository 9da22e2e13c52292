//! UI tests of the hall screens on Slint's testing backend: guides (a 设定依据 opens the reader
//! at its article), the map (tap a county to zoom, a pin's card), the points list filter, the
//! legal-aid quick check, and taking a ticket through a loopback printer — printed, the
//! on-screen fallback, and a silent printer that must not freeze the screen. One test function:
//! the testing backend is process-wide.

mod support;

use std::rc::Rc;
use std::time::{Duration, Instant};
use support::ui::{tap, wait_for_ticket};

use i_slint_backend_testing::ElementHandle;
use kiosk::app::config::Config;
use kiosk::content::Store;
use kiosk::queue::desk::STAFF_CALL_SENTENCE;
use kiosk::queue::tickets::QueueDb;
use kiosk::speech::RecordingSpeaker;
use kiosk::ui::controller::Controller;
use kiosk::ui::{
    AidCheck, AidOutcome, AppWindow, GuideRowKind, Guides, MapView, Nav, Page, Queue, Reader,
    Topics,
};
use slint::{ComponentHandle, Model};
use support::escpos_decode::{decode, readout};
use support::printer::{Behaviour, LoopbackPrinter};

fn controller(
    printer: Option<String>,
    queue_dir: &std::path::Path,
) -> (Rc<Controller>, RecordingSpeaker) {
    let config = Config {
        data_dir: support::demo_store().to_owned(),
        here: Some("yl-center".into()),
        printer: printer.map(|p| p.parse().unwrap()),
        speech: false,
        queue_dir: Some(queue_dir.to_owned()),
        ..Config::default()
    };
    let window = AppWindow::new().unwrap();
    window.window().set_size(slint::PhysicalSize::new(1080, 1920));
    let speech = RecordingSpeaker::default();
    let ctrl = Controller::with_speaker(
        window,
        Store::open(&config.data_dir).unwrap(),
        &config,
        speech.clone(),
    );
    ctrl.window().show().unwrap();
    ctrl.set_now(
        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:30", "%Y-%m-%dT%H:%M").unwrap(),
    );
    (ctrl, speech)
}

#[test]
fn hall_screens() {
    i_slint_backend_testing::init_no_event_loop();
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let (ctrl, speech) = controller(Some(printer.url()), tmp.path());
    let w = ctrl.window();

    // 办事指南 from home; the list starts with the legal-aid group.
    tap(w, "办事指南");
    assert_eq!(w.global::<Nav>().get_page(), Page::Guides);
    let rows = w.global::<Guides>().get_rows();
    let first = rows.row_data(0).unwrap();
    assert_eq!((first.kind, first.name.as_str()), (GuideRowKind::Group, "法律援助"));
    assert_eq!(rows.iter().filter(|r| r.kind == GuideRowKind::Guide).count(), 8);
    tap(w, "法律援助申请");
    assert_eq!(w.global::<Nav>().get_page(), Page::Guide);
    let g = w.global::<Guides>();
    assert_eq!(g.get_name(), "法律援助申请");
    assert!(g.get_steps().iter().any(|s| s.time_limit.contains("7日")));
    // Local facts are not published in the demo: the screen says where to ask.
    assert!(g.get_facts().iter().any(|f| f.label == "办理地点" && f.value == "以窗口公示为准"));
    // The checklist ticks and unticks.
    tap(w, "法律援助申请表");
    assert!(g.get_materials().row_data(0).unwrap().checked);
    tap(w, "法律援助申请表");
    assert!(!g.get_materials().row_data(0).unwrap().checked);
    // 设定依据 → the reader at 第四十三条.
    let basis = g.get_basis();
    let i = basis.iter().position(|b| b.label.ends_with("第四十三条")).unwrap();
    g.invoke_open_basis(i as i32);
    assert_eq!(w.global::<Nav>().get_page(), Page::Reader);
    let blocks = w.global::<Reader>().get_blocks();
    let target = blocks.iter().find(|b| b.target).expect("the cited article is marked");
    assert_eq!(target.label, "第四十三条");
    assert!(target.text.contains("七日内"));
    w.global::<Nav>().invoke_back();
    assert_eq!(w.global::<Nav>().get_page(), Page::Guide);

    // The checklist on paper: materials and where to go, no ticket issued.
    tap(w, "打印材料清单");
    assert!(w.global::<Queue>().get_printing());
    wait_for_ticket(w);
    assert_eq!(w.global::<Queue>().invoke_takeaway_note(), "已打印，请从屏幕下方的出票口取走");
    let paper = readout(&decode(&printer.jobs.lock().unwrap()[0].bytes).unwrap());
    assert_eq!(paper.lines[1], "法律援助申请 · 材料清单");
    assert!(paper.lines.iter().any(|l| l.starts_with("□ 法律援助申请表")), "{:?}", paper.lines);
    assert!(paper.lines.iter().any(|l| l.starts_with("办理窗口：1、2号窗口")), "{:?}", paper.lines);
    assert!(paper.qr[0].starts_with("法律援助申请 · 材料清单\n"), "{:?}", paper.qr);
    // Printing again and going to the queue meanwhile (the desk is with the printer): the queue
    // page fills when the page is out.
    tap(w, "打印材料清单");
    w.global::<Nav>().invoke_home();
    tap(w, "取号排队");
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    wait_for_ticket(w);
    assert!(w.global::<Queue>().get_services().row_count() > 0, "the queue page is filled");
    w.global::<Nav>().invoke_home();
    // An article on paper: the one the reader highlights, with its law and dates.
    ctrl.open_law_by_name("法律援助法", Some(43)).unwrap();
    tap(w, "打印本条");
    wait_for_ticket(w);
    let note = w.global::<Queue>().invoke_takeaway_note();
    assert!(note.starts_with("已打印"), "{note:?}");
    let last_page = || {
        let jobs = printer.jobs.lock().unwrap();
        readout(&decode(&jobs.last().unwrap().bytes).unwrap())
    };
    let paper = last_page();
    assert_eq!(paper.lines[1], "法律援助法 第四十三条");
    assert_eq!(paper.lines[2], "中华人民共和国法律援助法");
    assert!(paper.lines.iter().any(|l| l.contains("七日内")), "{:?}", paper.lines);
    assert!(!paper.lines.iter().any(|l| l.starts_with("第四十四条")), "{:?}", paper.lines);
    // A life situation on paper: what each article says, and where to go.
    w.global::<Topics>().invoke_open_topic("unpaid-wages".into());
    tap(w, "打印要点");
    wait_for_ticket(w);
    let paper = last_page();
    assert_eq!(paper.lines[1], "我遇到了：欠薪");
    assert!(
        paper.lines.iter().any(|l| l.starts_with("· 劳动合同法 第三十条：")),
        "{:?}",
        paper.lines
    );
    assert!(paper.lines.iter().any(|l| l.starts_with("办理窗口：")), "{:?}", paper.lines);
    assert!(paper.qr[0].starts_with("我遇到了：欠薪\n"), "{:?}", paper.qr);
    w.global::<Nav>().invoke_home();
    tap(w, "办事指南");
    tap(w, "法律援助申请");

    // 取号办理 from the guide → the queue with 法律援助 chosen → a printed ticket.
    tap(w, "取号办理：法律援助");
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    assert_eq!(w.global::<Queue>().get_selected(), "A");
    tap(w, "确认取号");
    // The tap returns at once; the printer is worked on a thread while the screen says so.
    assert!(w.global::<Queue>().get_printing());
    wait_for_ticket(w);
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    let q = w.global::<Queue>();
    assert!(q.get_printed());
    assert_eq!(q.get_code(), "A001");
    let job = readout(&decode(&printer.jobs.lock().unwrap()[4].bytes).unwrap());
    assert_eq!(job.lines[2], "A001");
    assert!(speech.said()[0].contains("A 零零一号"));
    // The page points to the slot, counts down, and returns home by itself: the next resident
    // does not find this ticket.
    assert!(ElementHandle::find_by_accessible_label(w, "↓ 请从屏幕下方的出票口取走号票 ↓")
        .next()
        .is_some());
    assert_eq!(q.get_return_secs(), 20);
    for _ in 0..10 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1000));
    }
    assert_eq!(q.get_return_secs(), 10);
    // A touch (the resident is still there) starts the count again.
    ctrl.activity();
    assert_eq!(q.get_return_secs(), 20);
    for _ in 0..19 {
        i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1000));
    }
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    assert_eq!(q.get_return_secs(), 1);
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(1000));
    assert_eq!(w.global::<Nav>().get_page(), Page::Home);
    assert_eq!(q.get_code(), "", "the ticket is forgotten");
    assert_eq!(q.get_return_secs(), 0);
    // A second resident, priority lane: the screen says nobody is ahead (priority goes first).
    w.global::<Nav>().invoke_home();
    tap(w, "取号排队");
    let services = q.get_services();
    assert_eq!(services.iter().find(|s| s.letter == "A").unwrap().waiting, 1);
    q.invoke_choose("A".into());
    q.invoke_toggle_priority();
    assert!(q.get_priority());
    tap(w, "确认取号");
    wait_for_ticket(w);
    assert_eq!(q.get_code(), "A002");
    assert_eq!(q.get_ahead(), 0);

    // The map: tap 神木市 to zoom, then the points list filtered by service.
    w.global::<Nav>().invoke_home();
    tap(w, "服务网点");
    assert_eq!(w.global::<Nav>().get_page(), Page::Map);
    let m = w.global::<MapView>();
    assert_eq!(m.get_counties().row_count(), 12);
    assert!(m.get_pins().iter().any(|p| p.here), "您在这里 is on the map");
    let vw = m.get_vb_w();
    let sm = m.get_counties().iter().find(|c| c.name == "神木市").unwrap();
    ctrl.tap_map(sm.label_x, sm.label_y, 1.4);
    assert!(m.get_zoomed());
    assert_eq!(m.get_title(), "神木市");
    assert!(m.get_vb_w() < vw / 2.0);
    tap(w, "列表");
    assert_eq!(w.global::<Nav>().get_page(), Page::Points);
    assert_eq!(m.get_rows().row_data(0).unwrap().name, "榆林市公共法律服务中心（示例）");
    m.invoke_set_filter("公证".into());
    let rows = m.get_rows();
    assert!(
        rows.row_count() > 0
            && rows.iter().all(|r| r.services.replace('\u{2060}', "").contains("公证"))
    );
    // Nearest is the hall the kiosk stands in: no distance or navigation to itself, a ticket.
    let first = rows.row_data(0).unwrap();
    assert!(first.here && first.metres < 0, "{first:?}");
    assert!(ElementHandle::find_by_accessible_label(w, "您就在这里").next().is_some());
    tap(w, &first.name);
    assert!(m.get_card_open() && m.get_card_here());
    assert!(m.get_card_facts().iter().any(|f| f.value == "您就在这里"));
    assert_eq!(m.get_card_metres(), -1, "no distance to itself");
    assert!(ElementHandle::find_by_accessible_label(w, "距离").next().is_none());
    assert_eq!(m.get_card_qr().size().width, 0, "no way to navigate to where one stands");
    assert!(ElementHandle::find_by_accessible_label(w, "在本中心办理：取号排队").next().is_some());
    m.invoke_close_card();
    tap(w, &rows.row_data(1).unwrap().name);
    assert!(m.get_card_open() && !m.get_card_here());
    assert!(m.get_card_metres() > 0);
    assert!(ElementHandle::find_by_accessible_label(w, "距离").next().is_some());
    assert!(m.get_card_qr().size().width > 0);

    // 呼叫工作人员 from the points list: the call is recorded with the screen (never anything
    // typed), the staff see it through the calling side, and a second tap joins the first.
    assert!(!q.get_staff_called());
    tap(w, "呼叫工作人员");
    assert!(q.get_staff_called());
    assert_eq!(q.invoke_staff_note(), "已通知工作人员，请在这里稍候");
    tap(w, "已呼叫工作人员");
    // Said aloud in the hall once, for the one call.
    let said = speech.said();
    assert_eq!(said.iter().filter(|s| *s == STAFF_CALL_SENTENCE).count(), 1, "{said:?}");
    let mut staff_side = QueueDb::open_for_calling(tmp.path()).unwrap();
    let calls = staff_side.open_staff_calls().unwrap();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].place, "服务网点");

    // Idle reset forgets the ticket shown, the choices made and the call's note; staff answer.
    ctrl.reset_session();
    assert_eq!(q.get_code(), "");
    assert!(!m.get_card_open());
    assert!(!q.get_staff_called() && q.invoke_staff_note().is_empty());
    let later =
        chrono::NaiveDateTime::parse_from_str("2026-11-23T09:33", "%Y-%m-%dT%H:%M").unwrap();
    let answered = staff_side.answer_staff_call(None, later).unwrap().unwrap();
    assert!(answered.answered && staff_side.open_staff_calls().unwrap().is_empty());
    drop(ctrl);

    // A dead printer: the number shows on screen, uncounted, and the voice says to note it.
    let tmp = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (ctrl, speech) = controller(Some(format!("tcp://{closed}")), tmp.path());
    let w = ctrl.window();
    ctrl.open_queue(Some("C"));
    tap(w, "确认取号");
    wait_for_ticket(w);
    let q = w.global::<Queue>();
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    assert!(!q.get_printed());
    assert_eq!(q.get_code(), "C001");
    assert!(speech.said()[0].contains("记下屏幕上的号码"));
    drop(ctrl);

    // A printer that takes the bytes and never answers: the tap returns at once, the screen
    // says 正在打印 and ignores a second tap, and after the link timeout the fallback shows.
    let silent = LoopbackPrinter::start(Behaviour::Silent);
    let tmp = tempfile::tempdir().unwrap();
    let (ctrl, _) = controller(Some(silent.url()), tmp.path());
    let w = ctrl.window();
    // First a page from the reader, which the silent printer holds: the queue page opened
    // meanwhile says 正在打印…, not that a ticket is on its way.
    ctrl.open_law_by_name("法律援助法", Some(43)).unwrap();
    tap(w, "打印本条");
    ctrl.open_queue(None);
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    assert!(w.global::<Queue>().get_printing());
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印…").next().is_some());
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印号票，请稍候…").next().is_none());
    wait_for_ticket(w);
    ctrl.open_queue(Some("B"));
    let tapped = Instant::now();
    tap(w, "确认取号");
    assert!(
        tapped.elapsed() < Duration::from_millis(500),
        "the tap blocked for {:?}",
        tapped.elapsed()
    );
    let q = w.global::<Queue>();
    assert!(q.get_printing());
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印号票，请稍候…").next().is_some());
    q.invoke_confirm(); // an impatient second tap
    i_slint_backend_testing::mock_elapsed_time(Duration::from_millis(30));
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    wait_for_ticket(w);
    assert!(tapped.elapsed() >= Duration::from_secs(2), "gave up before the printer's timeout");
    assert_eq!(w.global::<Nav>().get_page(), Page::Ticket);
    assert!(!q.get_printed());
    assert_eq!(q.get_code(), "B001", "one ticket for two taps");
    assert_eq!(silent.job_count(), 0);
    // A ticket still printing when the session idles out is the printer being busy for the
    // next resident, not their ticket on its way; its outcome is not shown to them.
    ctrl.open_queue(Some("B"));
    tap(w, "确认取号");
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印号票，请稍候…").next().is_some());
    ctrl.reset_session();
    ctrl.open_queue(None);
    assert!(q.get_printing());
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印…").next().is_some());
    assert!(ElementHandle::find_by_accessible_label(w, "正在打印号票，请稍候…").next().is_none());
    wait_for_ticket(w);
    assert!(!q.get_printing());
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    drop(ctrl);

    // 法律援助自测: matter → 第三十二条? → 第四十二条? → income → answer; 上一题 takes one back.
    let tmp = tempfile::tempdir().unwrap();
    let (ctrl, _) = controller(Some(printer.url()), tmp.path());
    let w = ctrl.window();
    let a = w.global::<AidCheck>();
    tap(w, "援助自测");
    assert_eq!(w.global::<Nav>().get_page(), Page::Aid);
    assert!(a.get_asks_matter());
    assert_eq!(a.get_matters().row_count(), 11);
    tap(w, "讨要工资、确认劳动关系");
    assert_eq!(a.get_step(), 2);
    assert!(a.get_question_cases().iter().any(|c| c.contains("见义勇为")));
    tap(w, "不是");
    assert!(a.get_question_cases().iter().any(|c| c.contains("进城务工人员")));
    tap(w, "上一题");
    assert_eq!(a.get_step(), 2);
    assert!(a.get_question_cases().iter().any(|c| c.contains("见义勇为")));
    tap(w, "不是");
    tap(w, "不是");
    // The demo deployment publishes no income line: the question says the window decides.
    assert!(a.get_question().contains("以窗口公示为准"), "{}", a.get_question());
    tap(w, "不是");
    assert_eq!(a.get_question(), "");
    assert_eq!(a.get_outcome(), AidOutcome::Unlikely);
    assert_eq!(a.get_headline(), "您可能不符合法律援助的条件");
    assert_eq!((a.get_ticket_letter(), a.get_ticket_service()), ("C".into(), "法律咨询".into()));
    // 法律依据 opens 法律援助法 at the article.
    tap(w, "第三十一条\n可申请的事项");
    assert_eq!(w.global::<Nav>().get_page(), Page::Reader);
    let blocks = w.global::<Reader>().get_blocks();
    assert_eq!(blocks.iter().find(|b| b.target).expect("article marked").label, "第三十一条");
    w.global::<Nav>().invoke_back();
    assert_eq!(w.global::<Nav>().get_page(), Page::Aid);
    assert_eq!(a.get_headline(), "您可能不符合法律援助的条件", "back keeps the answer");
    // A criminal defence: one question, and 不清楚 still gets an answer that explains both rules.
    tap(w, "重新自测");
    tap(w, "本人或家人被抓、被起诉，没有请律师");
    assert!(a.get_question_cases().iter().any(|c| c.contains("无期徒刑")));
    tap(w, "不清楚");
    assert_eq!(a.get_outcome(), AidOutcome::Likely);
    assert!(a.get_reasons().iter().any(|r| r.contains("第二十五条")));
    tap(w, "第二十四条\n可以申请辩护");
    let blocks = w.global::<Reader>().get_blocks();
    assert_eq!(blocks.iter().find(|b| b.target).expect("article marked").label, "第二十四条");
    w.global::<Nav>().invoke_back();
    // 重新自测 with a 第三十二条 case: no means test → likely, ticket for the legal-aid window.
    tap(w, "重新自测");
    assert_eq!(a.get_step(), 1);
    tap(w, "赡养费、抚养费、扶养费");
    tap(w, "是");
    assert_eq!(a.get_outcome(), AidOutcome::Likely);
    // The answer on paper, without the answers tapped.
    tap(w, "打印结果");
    wait_for_ticket(w);
    assert!(w.global::<Queue>().invoke_takeaway_note().starts_with("已打印"));
    let jobs = printer.jobs.lock().unwrap().len();
    let paper = readout(&decode(&printer.jobs.lock().unwrap()[jobs - 1].bytes).unwrap());
    assert_eq!(paper.lines[1], "法律援助自测结果");
    assert_eq!(paper.lines[2], "您很可能可以申请法律援助");
    assert!(paper.lines.iter().any(|l| l.starts_with("法律依据：《法律援助法》第三十一条")));
    // What was tapped (the matter, the 第三十二条 case) is on neither the paper nor its QR.
    let tapped = ["赡养费", "家庭暴力", "见义勇为", "属于"];
    let printed = paper.lines.iter().chain(&paper.qr);
    assert!(printed.clone().all(|l| tapped.iter().all(|t| !l.contains(t))), "{:?}", paper.lines);
    tap(w, "取号：A 法律援助");
    assert_eq!(w.global::<Nav>().get_page(), Page::Queue);
    assert_eq!(w.global::<Queue>().get_selected(), "A");
    // Idle reset: nothing of the answers is left on screen or in the controller.
    ctrl.reset_session();
    assert_eq!(a.get_headline(), "");
    assert_eq!(a.get_reasons().row_count(), 0);
    ctrl.open_aid_check();
    assert_eq!(a.get_step(), 1);
    assert!(a.get_asks_matter());
}
