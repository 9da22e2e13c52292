//! Chinese numerals: 一千零七十九 ⇄ 1079, as article labels (第一千零七十九条), guide references
//! and spoken ticket numbers use them.
//!
//! The parser sees bundle and corpus text, so it takes any string without panicking: arithmetic
//! is checked, and a numeral that does not fit a `u32` (九万万万) is `None`, not a wrapped value.

/// Parses 一千零七十九 → 1079, 二十 → 20, 十五 → 15, 一百零一 → 101, 三万 → 30000, or ASCII
/// digits. `None` for anything else, and for numbers above `u32::MAX`. Reads units up to 万
/// (article and ticket numbers stay far below 亿).
pub fn parse_number(s: &str) -> Option<u32> {
    if s.is_empty() || s.chars().count() > 24 {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok();
    }
    // total: the 万 groups so far; section: this group's 十/百/千 parts; digit: a pending digit.
    let (mut total, mut section, mut digit) = (0u32, 0u32, None::<u32>);
    for c in s.chars() {
        if let Some(d) = digit_value(c) {
            digit = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => 10_000,
            _ => return None,
        };
        if unit == 10_000 {
            total =
                total.checked_add(section)?.checked_add(digit.unwrap_or(0))?.checked_mul(unit)?;
            section = 0;
        } else {
            section = section.checked_add(digit.unwrap_or(1).checked_mul(unit)?)?;
        }
        digit = None;
    }
    total.checked_add(section)?.checked_add(digit.unwrap_or(0))
}

fn digit_value(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// Whether `c` can be part of a numeral [`parse_number`] reads.
pub fn is_numeral(c: char) -> bool {
    "零〇一二两三四五六七八九十百千万".contains(c) || c.is_ascii_digit()
}

/// Writes `n` in Chinese: 1079 → 一千零七十九, 15 → 十五, 30005 → 三万零五.
pub fn number(n: u32) -> String {
    if n == 0 {
        return "零".into();
    }
    // Groups of four digits, most significant first: 亿, 万, then the ones.
    let groups = [(n / 100_000_000, "亿"), (n / 10_000 % 10_000, "万"), (n % 10_000, "")];
    let mut out = String::new();
    let mut zero_pending = false;
    for (group, unit) in groups {
        if group == 0 {
            zero_pending = !out.is_empty();
            continue;
        }
        // 三万零五: a gap inside the number is read as one 零.
        if zero_pending || (!out.is_empty() && group < 1000) {
            out.push('零');
        }
        zero_pending = false;
        out.push_str(&below_ten_thousand(group, out.is_empty()));
        out.push_str(unit);
    }
    out
}

/// The Chinese names of the digits 0–9.
const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// `text` with each ASCII digit read by name, the rest kept, as numbers are said digit by digit
/// (a ticket's 007 → 零零七, a hotline's 12348 → 一二三四八).
pub fn digit_by_digit(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => DIGITS[d as usize].to_owned(),
            None => c.to_string(),
        })
        .collect()
}

/// 1..=9999 in Chinese; `leading` numbers say 十五, not 一十五.
fn below_ten_thousand(n: u32, leading: bool) -> String {
    const UNITS: [&str; 4] = ["千", "百", "十", ""];
    let digits = [n / 1000, n / 100 % 10, n / 10 % 10, n % 10];
    let first = digits.iter().position(|&d| d != 0).unwrap_or(3);
    let mut out = String::new();
    let mut zero_pending = false;
    for (i, &d) in digits.iter().enumerate().skip(first) {
        if d == 0 {
            zero_pending = true;
            continue;
        }
        if zero_pending {
            out.push('零');
            zero_pending = false;
        }
        if !(d == 1 && i == 2 && out.is_empty() && leading) {
            out.push_str(DIGITS[d as usize]);
        }
        out.push_str(UNITS[i]);
    }
    out
}

/// WORD JOINER: no line break here (UAX #14 class WJ), and nothing drawn.
pub const WORD_JOINER: char = '\u{2060}';

/// `word` with a word joiner between its characters, so that a line break never splits it:
/// Chinese text may break between any two characters, and 司法鉴定 cut into 司 / 法鉴定 reads as
/// two words. For short names only; a long unbreakable run would overflow its line.
pub fn unbroken(word: &str) -> String {
    let mut out = String::with_capacity(word.len() * 2);
    for (i, c) in word.chars().enumerate() {
        if i > 0 {
            out.push(WORD_JOINER);
        }
        out.push(c);
    }
    out
}

/// An institution's name (榆林市公共法律服务中心) that may break only after its place
/// (榆林市 / 公共法律服务中心), never inside a word: the home page shows it before the word
/// segmenter is loaded, and the place suffixes are where such names divide.
pub fn institution_name(name: &str) -> String {
    const PLACE_ENDS: &[char] = &['省', '市', '县', '区', '旗', '镇', '乡', '街'];
    let mut out = String::with_capacity(name.len() * 2);
    let mut previous: Option<char> = None;
    for c in name.chars() {
        if previous.is_some_and(|p| !PLACE_ENDS.contains(&p)) {
            out.push(WORD_JOINER);
        }
        out.push(c);
        previous = Some(c);
    }
    out
}

/// A list of short names (services, kinds) joined with 、, each kept whole on its line.
pub fn name_list<S: AsRef<str>>(names: &[S]) -> String {
    names.iter().map(|n| unbroken(n.as_ref())).collect::<Vec<_>>().join("、")
}

/// A date as residents read it: 2025-09-12 → 2025年9月12日. Anything not an ISO date (a date
/// with a time keeps only its day) is returned as it is.
pub fn date(iso: &str) -> String {
    let day = iso.get(..10).unwrap_or(iso);
    match chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d") {
        Ok(d) => d.format("%Y年%-m月%-d日").to_string(),
        Err(_) => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_institution_name_breaks_only_after_its_place() {
        let j = WORD_JOINER;
        // Where a line may break: after 市 and after 区, nowhere else.
        let set = institution_name("榆林市榆阳区司法局");
        let breakable: Vec<usize> = set
            .chars()
            .collect::<Vec<_>>()
            .windows(2)
            .enumerate()
            .filter(|(_, w)| w[0] != j && w[1] != j)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(set.replace(j, ""), "榆林市榆阳区司法局");
        assert_eq!(breakable.len(), 2, "{set:?}");
    }

    #[test]
    fn names_in_a_list_are_kept_whole() {
        assert_eq!(
            name_list(&["公证", "司法鉴定"]),
            "公\u{2060}证、司\u{2060}法\u{2060}鉴\u{2060}定"
        );
        assert_eq!(unbroken("A"), "A");
    }

    #[test]
    fn dates_read_as_residents_write_them() {
        assert_eq!(date("2025-09-12"), "2025年9月12日");
        assert_eq!(date("2026-12-02T20:02:11Z"), "2026年12月2日");
        assert_eq!(date("不详"), "不详");
    }

    #[test]
    fn numbers_round_trip() {
        for (s, n) in [
            ("一千零七十九", 1079),
            ("十五", 15),
            ("二十", 20),
            ("一百零一", 101),
            ("三十", 30),
            ("一千二百六十", 1260),
            ("一万", 10_000),
            ("三万零五", 30_005),
            ("十二万三千四百五十六", 123_456),
        ] {
            assert_eq!(parse_number(s), Some(n), "{s}");
            assert_eq!(number(n), s, "{n}");
        }
        assert_eq!(parse_number("条"), None);
    }

    #[test]
    fn overflow_is_none_not_a_wrapped_number() {
        // Was 2,043,514,880 in release builds and a panic in debug builds.
        assert_eq!(parse_number("九万万万"), None);
        assert_eq!(parse_number("九千九百九十九万万"), None);
        assert_eq!(parse_number("99999999999"), None);
        assert_eq!(parse_number("四万万"), Some(400_000_000));
    }

    #[test]
    fn every_number_below_twenty_thousand_round_trips() {
        for n in 0..20_000 {
            assert_eq!(parse_number(&number(n)), Some(n), "{n} → {}", number(n));
        }
        for n in [99_999, 100_001, 12_345_678] {
            assert_eq!(parse_number(&number(n)), Some(n), "{n}");
        }
        assert_eq!(number(100_000_000), "一亿");
        assert_eq!(number(u32::MAX), "四十二亿九千四百九十六万七千二百九十五");
    }
}
