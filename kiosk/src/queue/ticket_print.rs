//! The printed ticket: what goes on the paper, as ESC/POS bytes built with the `escpos` crate
//! (GB18030 text, the printer's native QR code, a cut).

use std::cell::RefCell;
use std::rc::Rc;

use anyhow::Result;
use escpos::driver::Driver;
use escpos::printer::Printer;
use escpos::utils::{
    Encoder, JustifyMode, Protocol, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption,
};

/// Everything printed on one ticket. Holds no personal data: a ticket names a queue place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketPrint {
    pub hall: String,
    pub service: String,
    pub windows: String,
    /// A007
    pub code: String,
    /// The priority lane's label, for 绿色通道 tickets.
    pub priority: Option<String>,
    pub ahead: u32,
    pub wait_minutes: u32,
    /// 2026-11-23 09:30
    pub time: String,
    /// What the QR code carries (ticket id + status URL).
    pub qr: String,
}

/// The ticket's text lines, top to bottom (what a test reads back from the bytes).
pub fn lines(t: &TicketPrint) -> Vec<String> {
    let mut out = vec![t.hall.clone(), format!("{}（{}）", t.service, t.windows), t.code.clone()];
    if let Some(p) = &t.priority {
        out.push(format!("【{p}】"));
    }
    out.push(format!("前面还有 {} 人，预计等候约 {} 分钟", t.ahead, t.wait_minutes));
    out.push(format!("取号时间 {}", t.time));
    out.push("扫码查看排队进度".into());
    out.push(FOOTER.into());
    out
}

/// Says what the ticket is not: a record of who took it.
pub const FOOTER: &str = "本票不记录任何个人信息 · 过号请重新取号";

/// ESC/POS select Chinese character mode (FS &): GB18030/GBK text on Chinese printers.
const FS_CHINESE_MODE: &[u8] = &[0x1C, 0x26];

/// A driver that keeps the bytes instead of sending them: the transport is ours (timeouts,
/// status replies), the command encoding is the crate's.
#[derive(Clone, Default)]
pub(super) struct Capture(Rc<RefCell<Vec<u8>>>);

impl Capture {
    /// The bytes captured, once the printer that wrote them is gone.
    fn into_bytes(self) -> Vec<u8> {
        Rc::try_unwrap(self.0).map(RefCell::into_inner).unwrap_or_else(|rc| rc.borrow().clone())
    }
}

impl Driver for Capture {
    fn name(&self) -> String {
        "capture".into()
    }
    fn write(&self, data: &[u8]) -> escpos::errors::Result<()> {
        self.0.borrow_mut().extend_from_slice(data);
        Ok(())
    }
    fn read(&self, _buf: &mut [u8]) -> escpos::errors::Result<usize> {
        Ok(0)
    }
    fn flush(&self) -> escpos::errors::Result<()> {
        Ok(())
    }
}

/// The ESC/POS job for one ticket.
pub fn escpos_bytes(t: &TicketPrint) -> Result<Vec<u8>> {
    let l = lines(t);
    job(|p| {
        p.justify(JustifyMode::CENTER)?;
        p.bold(true)?;
        p.writeln(&l[0])?;
        p.bold(false)?;
        p.writeln(&l[1])?;
        p.size(4, 4)?;
        p.bold(true)?;
        p.writeln(&l[2])?;
        p.bold(false)?;
        p.size(1, 1)?;
        let mut rest = l[3..].iter();
        if t.priority.is_some() {
            p.size(2, 2)?;
            p.writeln(rest.next().expect("priority line"))?;
            p.size(1, 1)?;
        }
        p.writeln(rest.next().expect("ahead line"))?;
        p.writeln(rest.next().expect("time line"))?;
        p.qrcode_option(
            &t.qr,
            QRCodeOption::new(QRCodeModel::Model2, 6, QRCodeCorrectionLevel::M),
        )?;
        for line in rest {
            p.writeln(line)?;
        }
        Ok(())
    })
}

/// One ESC/POS job as bytes: the printer reset and put in Chinese (GB18030) mode, what `write`
/// prints, then a feed and a cut. Tickets and take-away pages share it.
pub(super) fn job(
    write: impl FnOnce(&mut Printer<Capture>) -> escpos::errors::Result<()>,
) -> Result<Vec<u8>> {
    let capture = Capture::default();
    let protocol = Protocol::new(Encoder::new(encoding_rs::GB18030));
    let mut p = Printer::new(capture.clone(), protocol, None);
    let run = |p: &mut Printer<Capture>| -> escpos::errors::Result<()> {
        p.init()?;
        p.custom(FS_CHINESE_MODE)?;
        write(p)?;
        p.feeds(3)?;
        p.cut()?;
        p.print()?;
        Ok(())
    };
    run(&mut p).map_err(|e| anyhow::anyhow!("ESC/POS: {e}"))?;
    drop(p);
    Ok(capture.into_bytes())
}
