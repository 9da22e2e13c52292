//! 法律援助 quick check: a few taps (是 / 不是 / 不清楚) give a plain answer and next steps. The
//! answers live only in the session (cleared on idle); nothing is stored or logged.
//!
//! The rules are 法律援助法 第二十四条 (the accused may apply for economic or other reasons),
//! 第二十五条 (whom the court, procuratorate or police must find a lawyer for), 第二十九条 (crime
//! victims), 第三十一条 (which civil/administrative matters), 第三十二条 (cases with no means
//! test), 第四十二条 (groups exempt from the means check) and 第三十四条 (the province sets the
//! income line).

use crate::text::i18n::{Arg, Phrase};
use crate::{phrase, zh};

/// What a resident may come about: 第三十一条's matters as a resident would recognise them, then
/// the criminal matters of 第二十四条 (defence) and 第二十九条 (victims), then anything else.
pub const MATTERS: [&str; 11] = [
    zh!("讨要工资、确认劳动关系"),
    zh!("工伤、交通、医疗、食品药品事故赔偿"),
    zh!("赡养费、抚养费、扶养费"),
    zh!("社会保险待遇、社会救助"),
    zh!("国家赔偿"),
    zh!("抚恤金"),
    zh!("认定无、限制民事行为能力"),
    zh!("环境污染、生态破坏赔偿"),
    zh!("本人或家人被抓、被起诉，没有请律师"),
    zh!("被犯罪侵害，想请人代理告状、要赔偿"),
    zh!("其他事情"),
];
/// Index of the criminal defence matter (第二十四条、第二十五条) in [`MATTERS`].
pub const CRIMINAL_DEFENCE: usize = 8;
/// Index of the crime victim's matter (第二十九条) in [`MATTERS`].
pub const CRIME_VICTIM: usize = 9;
/// Index of "其他事情" in [`MATTERS`].
pub const OTHER_MATTER: usize = 10;

/// A tap on a yes/no question. 不清楚 is an answer too: an elderly resident often does not know
/// whether a rule's words fit them, and a forced 是/不是 would be a guess; the check then asks
/// on, and leaves what nobody knew to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reply {
    Yes,
    No,
    NotSure,
}

/// What the resident tapped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answers {
    /// Index into [`MATTERS`].
    pub matter: Option<usize>,
    /// For a criminal defence: the accused is one the court, procuratorate or police must find a
    /// lawyer for (第二十五条: 未成年人, 视力听力言语残疾人, 不能完全辨认自己行为, 可能判无期、死刑).
    pub mandatory_defence: Option<Reply>,
    /// A 第三十二条 case (英烈近亲属, 见义勇为, 再审改判无罪, 虐待遗弃家暴受害人).
    pub no_means_test: Option<Reply>,
    /// A 第四十二条 group (低保/特困/优抚对象, 无固定生活来源的老幼残, 讨薪或工伤的进城务工人员).
    pub exempt_group: Option<Reply>,
    /// Monthly household income per person is below the province's line.
    pub income_below_line: Option<Reply>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Very likely eligible: go to the legal-aid window.
    Likely,
    /// Depends on a check the window makes (income, or an "other" matter).
    AskWindow,
    /// Probably not legal aid; consultation and mediation still help.
    Unlikely,
}

/// An article of 法律援助法 the verdict rests on, for a "read the original" button.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Basis {
    pub number: u32,
    /// What the article is about (a `zh!` term).
    pub about: &'static str,
}

impl Basis {
    /// 第X条 and what it is about, as the button shows it.
    pub fn label(&self) -> Phrase {
        phrase!("第{}条\n{}", Arg::numeral(self.number), Arg::term(self.about))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub headline: Phrase,
    pub reasons: Vec<Phrase>,
    pub next_steps: Vec<Phrase>,
    pub basis: Vec<Basis>,
}

/// The question to ask next, or `None` when the answers suffice.
pub fn next_question(a: &Answers) -> Option<Question> {
    let matter = match a.matter {
        None => return Some(Question::Matter),
        Some(m) => m,
    };
    if matter == CRIMINAL_DEFENCE {
        // 第二十四条 asks for "经济困难或者其他原因", not the income check of a civil matter (the
        // agency weighs the reason): one question, who must be given a lawyer whether or not
        // anyone applies (第二十五条).
        return a.mandatory_defence.is_none().then_some(Question::MandatoryDefence);
    }
    // A yes settles the means question; no and 不清楚 ask on.
    for (reply, question) in [
        (a.no_means_test, Question::NoMeansTest),
        (a.exempt_group, Question::ExemptGroup),
        (a.income_below_line, Question::Income),
    ] {
        match reply {
            None => return Some(question),
            Some(Reply::Yes) => return None,
            Some(Reply::No | Reply::NotSure) => {}
        }
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Matter,
    MandatoryDefence,
    NoMeansTest,
    ExemptGroup,
    Income,
}

/// A question as the screen asks it: one short sentence, and the cases it lists one per line
/// (an elderly reader loses a long sentence of cases separated by semicolons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub question: Phrase,
    /// `zh!` terms.
    pub cases: Vec<&'static str>,
}

impl Question {
    pub fn prompt(self, income_line_yuan: Option<u32>) -> Prompt {
        let listed =
            |question: Phrase, cases: &[&'static str]| Prompt { question, cases: cases.to_vec() };
        match self {
            Question::Matter => listed(phrase!("您要办的是哪一类事情？"), &[]),
            Question::MandatoryDefence => listed(
                phrase!("被抓、被起诉的人是否属于以下情形之一？"),
                &[
                    zh!("未满十八周岁"),
                    zh!("视力、听力、言语残疾"),
                    zh!("不能完全辨认自己行为的成年人"),
                    zh!("可能被判处无期徒刑、死刑"),
                    zh!("死刑复核案件、缺席审判案件的被告人"),
                ],
            ),
            Question::NoMeansTest => listed(
                phrase!("您是否属于以下情形之一？"),
                &[
                    zh!("英雄烈士近亲属维护烈士名誉"),
                    zh!("因见义勇为主张权益"),
                    zh!("再审改判无罪请求国家赔偿"),
                    zh!("遭受虐待、遗弃或家庭暴力"),
                ],
            ),
            Question::ExemptGroup => listed(
                phrase!("您是否属于以下人员？"),
                &[
                    zh!("低保、特困、优抚对象，或者受过司法救助"),
                    zh!("无固定生活来源的未成年人、老年人、残疾人"),
                    zh!("讨要工资或工伤赔偿的进城务工人员"),
                ],
            ),
            Question::Income => match income_line_yuan {
                Some(line) => listed(phrase!("您家每人每月收入是否低于 {} 元？", line), &[]),
                None => listed(
                    phrase!(
                        "您家每人每月收入是否低于本省规定的经济困难标准？（标准以窗口公示为准）"
                    ),
                    &[],
                ),
            },
        }
    }
}

/// 第四十二条's groups, named in full where the verdict relies on them.
const EXEMPT_GROUPS: &str =
    zh!("无固定生活来源的未成年人、老年人、残疾人，社会救助、司法救助或者优抚对象，\
     讨要工资或工伤赔偿的进城务工人员");
/// 第三十二条's cases, named in full where the verdict relies on them.
const NO_MEANS_TEST_CASES: &str = zh!(
    "英雄烈士近亲属维护烈士名誉、见义勇为主张权益、再审改判无罪请求国家赔偿、遭受虐待遗弃或家庭暴力"
);

fn basis(number: u32, about: &'static str) -> Basis {
    Basis { number, about }
}

/// The answer for a complete set of answers (see [`next_question`]).
pub fn verdict(a: &Answers) -> Verdict {
    if a.matter == Some(CRIMINAL_DEFENCE) {
        return defence_verdict(a);
    }
    let victim = a.matter == Some(CRIME_VICTIM);
    let listed = a.matter.is_some_and(|m| m != OTHER_MATTER);
    let matter_reason = match a.matter {
        Some(CRIME_VICTIM) => phrase!(
            "刑事案件的被害人及其近亲属，因经济困难没有委托诉讼代理人的，\
             可以申请法律援助（第二十九条）。"
        ),
        Some(m) if m != OTHER_MATTER => {
            phrase!("“{}”属于法律援助法第三十一条可以申请的事项。", Arg::term(MATTERS[m]))
        }
        _ => phrase!("您的事情不在第三十一条列出的事项中，是否可以援助要看法规、规章的规定。"),
    };
    let mut reasons = vec![matter_reason];
    let means_ok = if a.no_means_test == Some(Reply::Yes) {
        reasons.push(phrase!(
            "{}，属于第三十二条的情形，不受经济困难条件限制。",
            Arg::term(NO_MEANS_TEST_CASES)
        ));
        Some(true)
    } else if a.exempt_group == Some(Reply::Yes) {
        reasons.push(phrase!(
            "{}，属于第四十二条规定的人员之一，免予核查经济困难状况，带上证明材料即可。",
            Arg::term(EXEMPT_GROUPS)
        ));
        Some(true)
    } else {
        match a.income_below_line {
            Some(Reply::Yes) => {
                reasons.push(phrase!("收入低于经济困难标准的，可以申请。"));
                Some(true)
            }
            Some(Reply::No) => {
                reasons.push(phrase!("收入高于经济困难标准，一般不符合经济困难条件。"));
                // An exemption nobody could confirm would set the income aside: the window
                // decides, rather than the kiosk saying 不符合.
                if a.no_means_test == Some(Reply::NotSure) || a.exempt_group == Some(Reply::NotSure)
                {
                    reasons.push(phrase!(
                        "您对是否属于第三十二条的情形或第四十二条规定的人员不确定；如果属于，\
                         可以不看收入，请到窗口确认。"
                    ));
                    None
                } else {
                    Some(false)
                }
            }
            Some(Reply::NotSure) | None => {
                reasons.push(phrase!(
                    "是否属于经济困难，由法律援助机构按本省标准审查（第三十四条）。"
                ));
                None
            }
        }
    };
    let (outcome, headline) = match (listed || a.no_means_test == Some(Reply::Yes), means_ok) {
        (true, Some(true)) => (Outcome::Likely, phrase!("您很可能可以申请法律援助")),
        (_, Some(false)) => (Outcome::Unlikely, phrase!("您可能不符合法律援助的条件")),
        _ => (Outcome::AskWindow, phrase!("请到法律援助窗口确认")),
    };
    let next_steps = match outcome {
        Outcome::Likely | Outcome::AskWindow => apply_steps(),
        Outcome::Unlikely => vec![
            phrase!("可以在法律咨询窗口免费咨询（下面可以直接取号），或申请人民调解（免费）。"),
            phrase!("如果情况有变化，仍可以向法律援助机构申请，由机构审查决定。"),
        ],
    };
    let mut basis_list = vec![if victim {
        basis(29, zh!("被害人可以申请"))
    } else {
        basis(31, zh!("可申请的事项"))
    }];
    basis_list.push(basis(32, zh!("不审查经济状况")));
    basis_list.push(basis(42, zh!("免予核查的人员")));
    Verdict { outcome, headline, reasons, next_steps, basis: basis_list }
}

/// A criminal defence (第二十四条: economic or other reasons, which the agency weighs); for the
/// accused 第二十五条 lists, the court, procuratorate or police must have a lawyer assigned even
/// if nobody applies.
fn defence_verdict(a: &Answers) -> Verdict {
    let mut reasons = Vec::new();
    let headline = if a.mandatory_defence == Some(Reply::Yes) {
        reasons.push(phrase!(
            "属于第二十五条的情形之一，没有委托辩护人的，人民法院、人民检察院、公安机关应当通知\
             法律援助机构指派律师担任辩护人。"
        ));
        phrase!("办案机关应当通知指派律师")
    } else {
        if a.mandatory_defence == Some(Reply::NotSure) {
            reasons.push(phrase!(
                "未成年人，视力、听力、言语残疾人，不能完全辨认自己行为的成年人，可能被判处\
                 无期徒刑、死刑的人，死刑复核案件、缺席审判案件的被告人，办案机关应当通知\
                 指派律师（第二十五条）。"
            ));
        }
        phrase!("您很可能可以申请法律援助")
    };
    reasons.push(phrase!(
        "犯罪嫌疑人、被告人因经济困难或者其他原因没有委托辩护人的，本人及其近亲属\
         可以申请法律援助（第二十四条）。"
    ));
    Verdict {
        outcome: Outcome::Likely,
        headline,
        reasons,
        next_steps: apply_steps(),
        basis: vec![basis(24, zh!("可以申请辩护")), basis(25, zh!("应当指派律师"))],
    }
}

fn apply_steps() -> Vec<Phrase> {
    vec![
        phrase!("带上身份证、和事情有关的材料，到法律援助窗口申请（下面可以直接取号）。"),
        phrase!("法律援助机构收到申请后7日内作出决定（第四十三条）。"),
        phrase!("也可以拨打 12348 先咨询。"),
    ]
}
