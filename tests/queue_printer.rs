//! Queue tickets on a real printer path: ESC/POS bytes over TCP to a loopback printer, decoded
//! back; python-escpos as a second encoder; printer faults; numbering across midnight and the
//! priority lane; and 1,000 tickets with kill -9 at random points.

mod support;

use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use chrono::NaiveDateTime;
use kiosk::content::Store;
use kiosk::queue::desk::{DeskSetup, TicketDesk};
use kiosk::queue::printer::EscPosPrinter;
use kiosk::queue::ticket_print::{escpos_bytes, lines, TicketPrint};
use kiosk::queue::tickets::{QueueDb, TicketState};
use kiosk::speech::{EspeakSpeaker, RecordingSpeaker};
use support::escpos_decode::{decode, readout, Element};
use support::printer::{Behaviour, LoopbackPrinter};

fn at(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
}

fn waiting(desk: &TicketDesk, letter: &str, now: NaiveDateTime) -> u32 {
    desk.services(now).unwrap().into_iter().find(|s| s.letter == letter).unwrap().waiting
}

fn desk(dir: &std::path::Path, printer: &str) -> (TicketDesk, RecordingSpeaker) {
    let store = Store::open(support::demo_store()).unwrap();
    let speech = RecordingSpeaker::default();
    let p =
        EscPosPrinter::new(printer.parse().unwrap(), true).with_timeout(Duration::from_millis(400));
    let setup = DeskSetup {
        queue: store.hall().unwrap().queue,
        hall_name: store.info().deployment.hall_name.clone(),
        queue_dir: dir.to_owned(),
        status_url: "https://www.12348.gov.cn/queue?ticket={ticket}".into(),
    };
    let desk = TicketDesk::open(setup, Box::new(p), Box::new(speech.clone())).unwrap();
    (desk, speech)
}

#[test]
fn a_ticket_prints_gb18030_text_a_native_qr_and_a_cut() {
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let (mut desk, speech) = desk(tmp.path(), &printer.url());
    let first = desk.take("A", false, at("2026-11-23T09:30")).unwrap();
    let second = desk.take("A", true, at("2026-11-23T09:31")).unwrap();
    assert!(first.printed() && second.printed(), "{:?} {:?}", first.fault, second.fault);
    assert_eq!(printer.job_count(), 2);
    let job = &printer.jobs.lock().unwrap()[1].bytes;
    let elements = decode(job).unwrap();
    let r = readout(&elements);
    assert_eq!(r.lines[0], "榆林市公共法律服务中心");
    assert_eq!(r.lines[1], "法律援助（1、2号窗口）");
    assert_eq!(r.lines[2], "A002");
    assert!(r.lines[3].contains("绿色通道"), "{:?}", r.lines);
    // The priority ticket goes before A001, so nobody is ahead of it.
    assert!(r.lines[4].starts_with("前面还有 0 人"), "{:?}", r.lines);
    assert_eq!(r.qr, vec!["https://www.12348.gov.cn/queue?ticket=20261123-A002".to_string()]);
    assert!(r.cut);
    assert!(elements.contains(&Element::ChineseMode(true)));
    assert!(elements.contains(&Element::Size(4, 4)), "the number prints large");
    assert!(r.lines.iter().any(|l| l.contains("不记录任何个人信息")));
    // Spoken as well as printed, digit by digit.
    let said = speech.said();
    assert_eq!(said.len(), 2);
    assert!(said[0].contains("A 零零一号") && said[0].contains("前面没有人"), "{said:?}");
    assert_eq!(waiting(&desk, "A", at("2026-11-23T09:32")), 2);
}

#[test]
fn python_escpos_agrees_on_text_qr_and_cut() {
    let t = TicketPrint {
        hall: "榆林市公共法律服务中心".into(),
        service: "人民调解".into(),
        windows: "3号窗口".into(),
        code: "B017".into(),
        priority: None,
        ahead: 4,
        wait_minutes: 120,
        time: "2026-11-23 10:05".into(),
        qr: "https://www.12348.gov.cn/queue?ticket=20261123-B017".into(),
    };
    let ours = readout(&decode(&escpos_bytes(&t).unwrap()).unwrap());
    let l = lines(&t);
    let qr_after = l.iter().position(|x| x.starts_with("取号时间")).unwrap() + 1;
    let input =
        serde_json::json!({ "before_qr": &l[..qr_after], "qr": t.qr, "after_qr": &l[qr_after..] });
    let python = support::repo().join("target/pyenv/bin/python");
    assert!(
        python.is_file(),
        "python-escpos venv missing at {}: run tools/setup-debian",
        python.display()
    );
    let mut child = Command::new(python)
        .arg(support::repo().join("tests/crosscheck_escpos.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let hex = String::from_utf8(out.stdout).unwrap();
    let theirs_bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let theirs = readout(&decode(&theirs_bytes).expect("our decoder reads python-escpos's job"));
    assert_eq!(ours, theirs);
    assert_eq!(ours.lines, l);
}

#[test]
fn no_ticket_counts_when_the_printer_fails() {
    let tmp = tempfile::tempdir().unwrap();
    // Down: nothing listens on the port.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let paper_out = LoopbackPrinter::start(Behaviour::PaperOut);
    let silent = LoopbackPrinter::start(Behaviour::Silent);
    let now = at("2026-11-23T14:10");
    for (i, (url, kind)) in [
        (format!("tcp://{closed}"), "unreachable"),
        (paper_out.url(), "paper_out"),
        (silent.url(), "no_answer"),
    ]
    .into_iter()
    .enumerate()
    {
        let (mut desk, speech) = desk(tmp.path(), &url);
        let out = desk.take("C", false, now).unwrap();
        assert!(!out.printed(), "{kind}");
        assert_eq!(out.ticket.state, TicketState::OnScreen);
        assert_eq!(out.ticket.number, i as u32 + 1, "numbers are never reused");
        assert_eq!(waiting(&desk, "C", now), 0, "{kind}: an unprinted ticket is not counted");
        assert_eq!(QueueDb::open_for_calling(tmp.path()).unwrap().faults(1).unwrap()[0].1, kind);
        assert!(speech.said()[0].contains("记下屏幕上的号码"));
        drop(desk);
    }
    assert_eq!(paper_out.job_count(), 0, "nothing is sent to a printer without paper");
    // The fault log names printers, never residents.
    let db = QueueDb::open(tmp.path()).unwrap();
    assert!(db.faults(10).unwrap().iter().all(|(_, _, d)| d.contains("tcp://")));
}

#[test]
fn numbering_restarts_at_midnight_and_the_priority_lane_goes_first() {
    let tmp = tempfile::tempdir().unwrap();
    let mut db = QueueDb::open(tmp.path()).unwrap();
    let settle = |db: &mut QueueDb, letter: &str, prio: bool, t: &str| {
        let mut k = db.reserve(letter, prio, at(t)).unwrap();
        db.settle(&mut k, TicketState::Issued, at(t)).unwrap();
        k
    };
    let a1 = settle(&mut db, "A", false, "2026-11-23T23:58");
    let a2 = settle(&mut db, "A", false, "2026-11-23T23:59");
    let b1 = settle(&mut db, "B", false, "2026-11-23T23:59");
    let next_day = settle(&mut db, "A", false, "2026-11-24T00:00");
    assert_eq!(
        (a1.code(), a2.code(), b1.code(), next_day.code()),
        ("A001".into(), "A002".into(), "B001".into(), "A001".into())
    );
    assert_ne!(a1.ticket_id(), next_day.ticket_id());

    let n2 = settle(&mut db, "A", false, "2026-11-24T08:31");
    let p3 = settle(&mut db, "A", true, "2026-11-24T08:32");
    let n4 = settle(&mut db, "A", false, "2026-11-24T08:33");
    let p5 = settle(&mut db, "A", true, "2026-11-24T08:34");
    assert_eq!(db.ahead_of(&p3).unwrap(), 0);
    assert_eq!(db.ahead_of(&p5).unwrap(), 1);
    assert_eq!(db.ahead_of(&n4).unwrap(), 4, "both priority tickets, A001 and A002");
    let order: Vec<String> = (0..5)
        .map(|_| db.call_next("A", at("2026-11-24T09:00")).unwrap().unwrap().code())
        .collect();
    assert_eq!(order, [p3.code(), p5.code(), next_day.code(), n2.code(), n4.code()]);
    assert!(db.call_next("A", at("2026-11-24T09:00")).unwrap().is_none());
    assert_eq!(
        db.now_serving("A", at("2026-11-24T09:00").date()).unwrap().unwrap().code(),
        n4.code()
    );
}

#[test]
fn a_thousand_tickets_survive_kill_9_at_random_points() {
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let store = tmp.path().join("store");
    copy_store(support::demo_store(), &store);
    let kiosk = env!("CARGO_BIN_EXE_kiosk");
    let target = 1000;
    let mut kills = 0;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    while printer.job_count() < target {
        let left = target - printer.job_count();
        let mut child = Command::new(kiosk)
            .args([
                "ticket",
                "--service",
                "A",
                "--at",
                "2026-11-23T10:00",
                "--count",
                &left.to_string(),
            ])
            .args(["--printer", &printer.url(), "--store"])
            .arg(&store)
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        if kills < 20 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            std::thread::sleep(Duration::from_millis(5 + seed % 150));
            if child.try_wait().unwrap().is_none() {
                child.kill().unwrap(); // SIGKILL
                kills += 1;
            }
        }
        let status = child.wait().unwrap();
        // A run that was not killed must end well (exit 2 would mean a print failure).
        assert!(status.success() || status.code().is_none(), "kiosk ticket failed: {status}");
    }
    assert!(kills >= 10, "only {kills} kills landed");
    let printed: Vec<String> = printer
        .jobs
        .lock()
        .unwrap()
        .iter()
        .map(|j| readout(&decode(&j.bytes).unwrap()).lines[2].clone())
        .collect();
    let mut unique = printed.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), printed.len(), "a number was printed twice");

    let db = QueueDb::open(&store.join("queue")).unwrap();
    let tickets = db.tickets(at("2026-11-23T10:00").date()).unwrap();
    // No gap: numbers 1..=n, each reserved once.
    for (i, t) in tickets.iter().enumerate() {
        assert_eq!(t.number, i as u32 + 1);
    }
    // Nothing acknowledged is lost: every printed ticket holds its place in the queue.
    for code in &printed {
        let t = tickets
            .iter()
            .find(|t| &t.code() == code)
            .unwrap_or_else(|| panic!("{code} printed but not in the queue"));
        assert!(
            matches!(t.state, TicketState::Issued | TicketState::Uncertain),
            "{code}: {:?}",
            t.state
        );
    }
    // Only a kill can leave a ticket uncertain, and at most one per kill.
    let uncertain = tickets.iter().filter(|t| t.state == TicketState::Uncertain).count();
    assert!(uncertain <= kills, "{uncertain} uncertain after {kills} kills");
    assert!(tickets.iter().all(|t| t.state != TicketState::Pending));
    println!(
        "{} printed, {} reserved, {kills} kills, {uncertain} uncertain",
        printed.len(),
        tickets.len()
    );
}

fn copy_store(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    let gen = std::fs::read_link(from.join("current")).unwrap();
    let src = from.join(&gen);
    let dst = to.join(&gen);
    std::fs::create_dir_all(&dst).unwrap();
    for e in std::fs::read_dir(&src).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dst.join(e.file_name())).unwrap();
    }
    std::os::unix::fs::symlink(&gen, to.join("current")).unwrap();
}

#[test]
fn espeak_ng_says_the_number_in_mandarin() {
    let tmp = tempfile::tempdir().unwrap();
    let wav = tmp.path().join("a007.wav");
    let sentence = kiosk::queue::desk::ticket_sentence("A007", 3, true);
    assert_eq!(sentence, "您的号码是 A 零零七号，前面还有三人。请取走号票。");
    EspeakSpeaker::default()
        .to_wav(&sentence, &wav)
        .expect("espeak-ng is installed by tools/setup-debian");
    let bytes = std::fs::read(&wav).unwrap();
    assert_eq!(&bytes[..4], b"RIFF");
    // More than a second of 22 kHz 16-bit audio: the voice said something.
    assert!(bytes.len() > 44_100, "{} bytes", bytes.len());
}

#[test]
fn a_call_for_staff_is_made_once_and_again_when_left_unanswered() {
    let tmp = tempfile::tempdir().unwrap();
    let mut db = QueueDb::open(tmp.path()).unwrap();
    let (first, new) = db.call_staff("法律阅读", at("2026-11-23T09:30")).unwrap();
    assert!(new);
    // Taps within ten minutes join the first call.
    let (again, new) = db.call_staff("首页", at("2026-11-23T09:35")).unwrap();
    assert_eq!(again, first);
    assert!(!new);
    assert_eq!(db.open_staff_calls().unwrap().len(), 1);
    // Left unanswered past ten minutes, a tap calls again.
    let (later, new) = db.call_staff("首页", at("2026-11-23T09:41")).unwrap();
    assert!(new);
    assert_ne!(later.id, first.id);
    assert_eq!(later.place, "首页");
    // Staff answer the oldest first; an answered call does not absorb a new tap.
    let answered = db.answer_staff_call(None, at("2026-11-23T09:42")).unwrap().unwrap();
    assert_eq!(answered.id, first.id);
    db.answer_staff_call(Some(later.id), at("2026-11-23T09:42")).unwrap().unwrap();
    assert!(db.open_staff_calls().unwrap().is_empty());
    let (fresh, new) = db.call_staff("取号排队", at("2026-11-23T09:43")).unwrap();
    assert!(new);
    assert!(fresh.id > later.id && !fresh.answered);
}

#[test]
fn a_take_away_page_prints_its_text_and_a_qr_of_it() {
    use kiosk::queue::takeaway::{self, TakeAway};
    let printer = LoopbackPrinter::start(Behaviour::Ready);
    let tmp = tempfile::tempdir().unwrap();
    let (mut ready, _) = desk(tmp.path(), &printer.url());
    let page = TakeAway {
        hall: "榆林市公共法律服务中心".into(),
        title: "法律援助申请 · 材料清单".into(),
        lines: vec!["需要带的材料：".into(), "□ 身份证：原件和复印件 1 份".into()],
        language: kiosk::text::i18n::Language::Hans,
    };
    ready.print_takeaway(&page, at("2026-11-23T09:30")).unwrap();
    let job = printer.jobs.lock().unwrap()[0].bytes.clone();
    let elements = decode(&job).unwrap();
    let r = readout(&elements);
    assert_eq!(r.lines, takeaway::lines(&page), "the paper says what the page says");
    assert_eq!(r.qr, vec![takeaway::qr_text(&page)]);
    assert!(r.qr[0].contains("□ 身份证"), "{:?}", r.qr);
    assert!(r.cut && elements.contains(&Element::ChineseMode(true)));
    // No ticket was issued for it.
    assert!(ready.services(at("2026-11-23T09:31")).unwrap().iter().all(|s| s.waiting == 0));

    // A printer that is not there: the screen is told, and the fault names the printer.
    let tmp = tempfile::tempdir().unwrap();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let (mut dead, _) = desk(tmp.path(), &format!("tcp://{closed}"));
    assert!(dead.print_takeaway(&page, at("2026-11-23T09:30")).is_err());
    drop(dead);
    let db = QueueDb::open(tmp.path()).unwrap();
    let faults = db.faults(5).unwrap();
    assert_eq!(faults.len(), 1);
    assert!(faults[0].2.contains("tcp://") && !faults[0].2.contains("身份证"), "{faults:?}");
}
