//! What a resident takes away on paper besides a ticket: a guide's checklist or the legal-aid
//! check's answer, printed on the ticket printer in GB18030 like the tickets, with a QR code
//! that carries the same text for a phone. It holds nothing the resident typed, and the kiosk
//! keeps no copy.

use anyhow::Result;
use escpos::utils::{JustifyMode, QRCodeCorrectionLevel, QRCodeModel, QRCodeOption};

use super::ticket_print::job;
use crate::text::i18n::{tr, Language};
use crate::zh;

/// One page to take away.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakeAway {
    pub hall: String,
    /// 法律援助申请 · 材料清单
    pub title: String,
    /// The text, a line each (the printer wraps long ones at the paper's width).
    pub lines: Vec<String>,
    /// The resident's language, for the page's own words (the caption, the footer).
    pub language: Language,
}

/// Says what the page is: guidance to check at the window, and where else to ask.
pub const FOOTER: &str = zh!("仅供参考，以窗口公示为准 · 公共法律服务热线 12348");

/// The most a take-away QR code carries, in bytes: at level M that is version 16 or less (81
/// modules), which a 58 mm printer draws at 4 dots a module within its 384 dots and a phone
/// reads off paper.
const QR_MAX_BYTES: usize = 420;

/// The printed lines, top to bottom (what a test reads back from the bytes).
pub fn lines(t: &TakeAway) -> Vec<String> {
    let mut out = vec![t.hall.clone(), t.title.clone()];
    out.extend(t.lines.iter().cloned());
    out.push(tr(t.language, zh!("扫码把这些内容存到手机")).into());
    out.push(tr(t.language, FOOTER).into());
    out
}

/// What the QR code carries: the title and the lines as plain text, which a phone's camera
/// shows and keeps. Lines that do not fit [`QR_MAX_BYTES`] are left out, and the last line then
/// says so.
pub fn qr_text(t: &TakeAway) -> String {
    let more = tr(t.language, zh!("……（其余见纸面）"));
    let mut text = t.title.clone();
    for line in &t.lines {
        if text.len() + 1 + line.len() + 1 + more.len() > QR_MAX_BYTES {
            text.push('\n');
            text.push_str(more);
            return text;
        }
        text.push('\n');
        text.push_str(line);
    }
    text
}

/// The ESC/POS job for one take-away page.
pub fn escpos_bytes(t: &TakeAway) -> Result<Vec<u8>> {
    let l = lines(t);
    let (body, tail) = l[2..].split_at(l.len() - 4);
    let qr = qr_text(t);
    job(|p| {
        p.justify(JustifyMode::CENTER)?;
        p.writeln(&l[0])?;
        p.bold(true)?;
        p.size(2, 2)?;
        p.writeln(&l[1])?;
        p.size(1, 1)?;
        p.bold(false)?;
        p.justify(JustifyMode::LEFT)?;
        for line in body {
            p.writeln(line)?;
        }
        p.justify(JustifyMode::CENTER)?;
        p.qrcode_option(&qr, QRCodeOption::new(QRCodeModel::Model2, 4, QRCodeCorrectionLevel::M))?;
        for line in tail {
            p.writeln(line)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(lines: usize) -> TakeAway {
        TakeAway {
            hall: "榆林市公共法律服务中心".into(),
            title: "法律援助申请 · 材料清单".into(),
            lines: (1..=lines)
                .map(|i| format!("□ 第{i}项：身份证或其他有效身份证明，原件和复印件 1 份"))
                .collect(),
            language: Language::Hans,
        }
    }

    #[test]
    fn the_qr_code_carries_the_text_and_stays_small() {
        let short = page(3);
        let text = qr_text(&short);
        assert!(text.starts_with("法律援助申请 · 材料清单\n□ 第1项"));
        assert_eq!(text.lines().count(), 4);
        let long = page(40);
        let text = qr_text(&long);
        assert!(text.len() <= QR_MAX_BYTES, "{} bytes", text.len());
        assert!(text.ends_with("（其余见纸面）"));
        // Every line is on the paper, whether the QR code holds it or not.
        let job = escpos_bytes(&long).unwrap();
        let (last, _, _) = encoding_rs::GB18030.encode(&long.lines[39]);
        assert!(job.windows(last.len()).any(|w| w == &last[..]), "the 40th line is printed");
    }
}
