//! Everyday words → the words statutes use.
//!
//! Residents say 工资, the 劳动合同法 says 劳动报酬; they say 老板, the law says 用人单位. Each
//! search term also matches its statutory equivalents (the term stays first for highlighting).
//! Kept short and literal on purpose: every entry is a word a hall's staff hear daily, mapped to
//! the term the core laws print.

const TABLE: &[(&str, &[&str])] = &[
    ("工资", &["劳动报酬"]),
    ("薪水", &["工资", "劳动报酬"]),
    ("欠薪", &["拖欠工资", "拖欠劳动报酬"]),
    ("老板", &["用人单位", "雇主"]),
    ("公司", &["用人单位"]),
    ("辞退", &["解除劳动合同"]),
    ("开除", &["解除劳动合同"]),
    ("炒鱿鱼", &["解除劳动合同"]),
    ("打工", &["劳动者"]),
    ("加班费", &["加班工资", "延长工作时间"]),
    ("借钱", &["借款"]),
    ("欠钱", &["借款", "债务"]),
    ("欠款", &["债务", "借款"]),
    ("利息", &["利率"]),
    ("房租", &["租金"]),
    ("租房", &["租赁"]),
    ("房东", &["出租人"]),
    ("租客", &["承租人"]),
    ("遗产", &["继承"]),
    ("遗嘱", &["遗赠"]),
    ("家暴", &["家庭暴力"]),
    ("打架", &["殴打"]),
    ("撞车", &["交通事故"]),
    ("车祸", &["交通事故"]),
    ("赔钱", &["赔偿"]),
    ("抚养费", &["抚养"]),
    ("养老", &["赡养"]),
    ("孩子", &["子女", "未成年人"]),
    ("小孩", &["子女", "未成年人"]),
    ("老人", &["老年人"]),
    ("残疾", &["残疾人"]),
    ("退货", &["退回"]),
    ("假货", &["假冒", "欺诈"]),
    ("打官司", &["诉讼", "起诉"]),
    ("告状", &["起诉", "控告"]),
    ("律师费", &["律师服务费"]),
    ("免费律师", &["法律援助"]),
];

/// The statutory equivalents of an everyday word (not including the word itself).
pub fn alternatives(term: &str) -> &'static [&'static str] {
    TABLE.iter().find(|(w, _)| *w == term).map(|(_, alts)| *alts).unwrap_or(&[])
}

#[cfg(test)]
mod tests {
    #[test]
    fn entries_are_searchable_words() {
        for (w, alts) in super::TABLE {
            assert!(w.chars().count() >= 2, "{w}");
            assert!(alts.iter().all(|a| a.chars().count() >= 2 && a != w), "{w}");
        }
        assert_eq!(super::alternatives("工资"), ["劳动报酬"]);
    }
}
