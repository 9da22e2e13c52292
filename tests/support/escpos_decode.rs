//! A decoder for the ESC/POS commands this firmware sends (and the few formatting commands
//! python-escpos adds), so tests and technicians can read a job back: its text (GB18030), QR
//! payload and cut. Anything else is an error: a job with commands we never send is a bug.
//! Test support, not firmware: it lives beside the tests and never panics on malformed bytes
//! (a property test feeds it random ones).

use anyhow::{bail, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Element {
    Init,
    ChineseMode(bool),
    Justify(u8),
    Bold(bool),
    /// Character width and height multipliers (1–8).
    Size(u8, u8),
    /// A line of text, decoded from GB18030.
    Text(String),
    /// Print and feed n lines (ESC d n); a bare LF is `Feed(1)` after a `Text`.
    Feed(u8),
    QrModel(u8),
    QrSize(u8),
    QrLevel(u8),
    QrData(String),
    QrPrint,
    /// Paper cut; `partial` for GS V 1/49/66-partial.
    Cut {
        partial: bool,
    },
    /// DLE EOT n: real-time status request.
    StatusRequest(u8),
    /// A style command that does not change the content (font, underline, flip, code table…).
    Style(Vec<u8>),
}

/// Decodes a job. Text runs between commands are joined and split at LF.
pub fn decode(bytes: &[u8]) -> Result<Vec<Element>> {
    let mut out = Vec::new();
    let mut text: Vec<u8> = Vec::new();
    let mut i = 0;
    let need = |i: usize, n: usize| -> Result<()> {
        if i + n > bytes.len() {
            bail!("truncated command at byte {i}");
        }
        Ok(())
    };
    let flush = |text: &mut Vec<u8>, out: &mut Vec<Element>| -> Result<()> {
        if !text.is_empty() {
            let (s, _, bad) = encoding_rs::GB18030.decode(text);
            if bad {
                bail!("text is not valid GB18030");
            }
            out.push(Element::Text(s.into_owned()));
            text.clear();
        }
        Ok(())
    };
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x0A => {
                flush(&mut text, &mut out)?;
                out.push(Element::Feed(1));
                i += 1;
            }
            0x1B => {
                flush(&mut text, &mut out)?;
                need(i, 2)?;
                match bytes[i + 1] {
                    b'@' => {
                        out.push(Element::Init);
                        i += 2;
                    }
                    b'a' => {
                        need(i, 3)?;
                        out.push(Element::Justify(bytes[i + 2] % 48));
                        i += 3;
                    }
                    b'E' => {
                        need(i, 3)?;
                        out.push(Element::Bold(bytes[i + 2] & 1 == 1));
                        i += 3;
                    }
                    b'd' => {
                        need(i, 3)?;
                        out.push(Element::Feed(bytes[i + 2]));
                        i += 3;
                    }
                    b'M' | b'-' | b'{' | b't' | b'!' | b'G' | b'V' | b'r' | b'3' | b'R' => {
                        need(i, 3)?;
                        out.push(Element::Style(bytes[i..i + 3].to_vec()));
                        i += 3;
                    }
                    b'2' => {
                        out.push(Element::Style(bytes[i..i + 2].to_vec()));
                        i += 2;
                    }
                    other => bail!("unknown ESC {other:#04x} at byte {i}"),
                }
            }
            0x1D => {
                flush(&mut text, &mut out)?;
                need(i, 2)?;
                match bytes[i + 1] {
                    b'!' => {
                        need(i, 3)?;
                        let n = bytes[i + 2];
                        out.push(Element::Size((n >> 4) + 1, (n & 0x0F) + 1));
                        i += 3;
                    }
                    b'V' => {
                        need(i, 3)?;
                        let m = bytes[i + 2];
                        // GS V m (0/48 full, 1/49 partial); GS V m n with feed (65 full, 66 partial).
                        match m {
                            0 | 48 | 1 | 49 => {
                                out.push(Element::Cut { partial: m & 1 == 1 });
                                i += 3;
                            }
                            65 | 66 => {
                                need(i, 4)?;
                                out.push(Element::Cut { partial: m == 66 });
                                i += 4;
                            }
                            other => bail!("unknown cut mode {other} at byte {i}"),
                        }
                    }
                    b'B' | b'b' | b'L' => {
                        need(i, 3)?;
                        out.push(Element::Style(bytes[i..i + 3].to_vec()));
                        i += 3;
                    }
                    b'(' => {
                        need(i, 5)?;
                        if bytes[i + 2] != b'k' {
                            bail!("unknown GS ( {:#04x} at byte {i}", bytes[i + 2]);
                        }
                        let len = bytes[i + 3] as usize | (bytes[i + 4] as usize) << 8;
                        need(i + 5, len)?;
                        let body = &bytes[i + 5..i + 5 + len];
                        if body.len() < 2 || body[0] != 49 {
                            bail!("GS ( k: only QR codes (cn 49) are sent, got {:?}", body.first());
                        }
                        out.push(match (body[1], &body[2..]) {
                            (65, [m, ..]) => Element::QrModel(digit(*m)?),
                            (67, [s]) => Element::QrSize(*s),
                            (69, [l]) => Element::QrLevel(digit(*l)?),
                            (80, [48, data @ ..]) => {
                                Element::QrData(String::from_utf8(data.to_vec())?)
                            }
                            (81, [48]) => Element::QrPrint,
                            (f, _) => bail!("GS ( k QR function {f} not understood"),
                        });
                        i += 5 + len;
                    }
                    other => bail!("unknown GS {other:#04x} at byte {i}"),
                }
            }
            0x1C => {
                flush(&mut text, &mut out)?;
                need(i, 2)?;
                match bytes[i + 1] {
                    b'&' => out.push(Element::ChineseMode(true)),
                    b'.' => out.push(Element::ChineseMode(false)),
                    other => bail!("unknown FS {other:#04x} at byte {i}"),
                }
                i += 2;
            }
            0x10 => {
                flush(&mut text, &mut out)?;
                need(i, 3)?;
                if bytes[i + 1] != 0x04 {
                    bail!("unknown DLE {:#04x} at byte {i}", bytes[i + 1]);
                }
                out.push(Element::StatusRequest(bytes[i + 2]));
                i += 3;
            }
            0x00..=0x1F if b != 0x0D => bail!("unexpected control byte {b:#04x} at byte {i}"),
            _ => {
                text.push(b);
                i += 1;
            }
        }
    }
    flush(&mut text, &mut out)?;
    Ok(out)
}

/// An ASCII digit parameter ('0' = 48 …) as its value.
fn digit(b: u8) -> Result<u8> {
    b.checked_sub(b'0')
        .filter(|d| *d <= 9)
        .ok_or_else(|| anyhow::anyhow!("parameter {b:#04x} is not an ASCII digit"))
}

/// What a resident would read on the paper: the text lines, the QR payloads, whether it was cut.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Readout {
    pub lines: Vec<String>,
    pub qr: Vec<String>,
    pub cut: bool,
}

pub fn readout(elements: &[Element]) -> Readout {
    let mut r = Readout::default();
    let mut qr_pending: Option<String> = None;
    for e in elements {
        match e {
            Element::Text(t) => {
                let t = t.trim_end_matches('\r').trim();
                if !t.is_empty() {
                    r.lines.push(t.to_owned());
                }
            }
            Element::QrData(d) => qr_pending = Some(d.clone()),
            Element::QrPrint => r.qr.extend(qr_pending.take()),
            Element::Cut { .. } => r.cut = true,
            _ => {}
        }
    }
    r
}
