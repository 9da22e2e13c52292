//! 法律援助 quick check: a few yes/no taps give a plain answer and next steps. The answers live
//! only in the session (cleared on idle); nothing is stored or logged.
//!
//! The rules are 法律援助法 第三十一条 (which civil/administrative matters), 第三十二条 (cases with
//! no means test), 第四十二条 (groups exempt from the means check) and 第三十四条 (the province
//! sets the income line).

/// 第三十一条's matters, as a resident would recognise them.
pub const MATTERS: [&str; 9] = [
    "讨要工资、确认劳动关系",
    "工伤、交通、医疗、食品药品事故赔偿",
    "赡养费、抚养费、扶养费",
    "社会保险待遇、社会救助",
    "国家赔偿",
    "抚恤金",
    "认定无、限制民事行为能力",
    "环境污染、生态破坏赔偿",
    "其他事情",
];
/// Index of "其他事情" in [`MATTERS`].
pub const OTHER_MATTER: usize = 8;

/// What the resident tapped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Answers {
    /// Index into [`MATTERS`].
    pub matter: Option<usize>,
    /// A 第三十二条 case (英烈近亲属, 见义勇为, 再审改判无罪, 虐待遗弃家暴受害人).
    pub no_means_test: Option<bool>,
    /// A 第四十二条 group (低保/特困/优抚对象, 无固定生活来源的老幼残, 讨薪或工伤的进城务工人员).
    pub exempt_group: Option<bool>,
    /// Monthly household income per person is below the province's line.
    pub income_below_line: Option<bool>,
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub outcome: Outcome,
    pub headline: String,
    pub reasons: Vec<String>,
    pub next_steps: Vec<String>,
}

/// The question to ask next, or `None` when the answers suffice.
pub fn next_question(a: &Answers) -> Option<Question> {
    if a.matter.is_none() {
        return Some(Question::Matter);
    }
    if a.no_means_test.is_none() {
        return Some(Question::NoMeansTest);
    }
    if a.no_means_test == Some(true) {
        return None;
    }
    if a.exempt_group.is_none() {
        return Some(Question::ExemptGroup);
    }
    if a.exempt_group == Some(true) {
        return None;
    }
    if a.income_below_line.is_none() {
        return Some(Question::Income);
    }
    None
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    Matter,
    NoMeansTest,
    ExemptGroup,
    Income,
}

/// A question as the screen asks it: one short sentence, and the cases it lists one per line
/// (an elderly reader loses a long sentence of cases separated by semicolons).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub question: String,
    pub cases: Vec<String>,
}

impl Question {
    pub fn prompt(self, income_line_yuan: Option<u32>) -> Prompt {
        let listed = |question: &str, cases: &[&str]| Prompt {
            question: question.to_owned(),
            cases: cases.iter().map(|c| (*c).to_owned()).collect(),
        };
        match self {
            Question::Matter => listed("您要办的是哪一类事情？", &[]),
            Question::NoMeansTest => listed(
                "您是否属于以下情形之一？",
                &[
                    "英雄烈士近亲属维护烈士名誉",
                    "因见义勇为主张权益",
                    "再审改判无罪请求国家赔偿",
                    "遭受虐待、遗弃或家庭暴力",
                ],
            ),
            Question::ExemptGroup => listed(
                "您是否属于以下人员？",
                &[
                    "低保、特困、优抚对象",
                    "无固定生活来源的未成年人、老年人、残疾人",
                    "讨要工资或工伤赔偿的进城务工人员",
                ],
            ),
            Question::Income => match income_line_yuan {
                Some(line) => listed(&format!("您家每人每月收入是否低于 {line} 元？"), &[]),
                None => listed(
                    "您家每人每月收入是否低于本省规定的经济困难标准？（标准以窗口公示为准）",
                    &[],
                ),
            },
        }
    }
}

/// The answer for a complete set of answers (see [`next_question`]).
pub fn verdict(a: &Answers) -> Verdict {
    let listed = a.matter.is_some_and(|m| m != OTHER_MATTER);
    let matter_reason = match a.matter {
        Some(m) if m != OTHER_MATTER => {
            format!("“{}”属于法律援助法第三十一条可以申请的事项。", MATTERS[m])
        }
        _ => "您的事情不在第三十一条列出的事项中，是否可以援助要看法规、规章的规定。".into(),
    };
    let mut reasons = vec![matter_reason];
    let means_ok = if a.no_means_test == Some(true) {
        reasons.push("第三十二条的情形不受经济困难条件限制。".into());
        Some(true)
    } else if a.exempt_group == Some(true) {
        reasons.push("第四十二条规定的人员免予核查经济困难状况，带上证明材料即可。".into());
        Some(true)
    } else {
        match a.income_below_line {
            Some(true) => {
                reasons.push("收入低于经济困难标准的，可以申请。".into());
                Some(true)
            }
            Some(false) => {
                reasons.push("收入高于经济困难标准，一般不符合经济困难条件。".into());
                Some(false)
            }
            None => None,
        }
    };
    let (outcome, headline) = match (listed || a.no_means_test == Some(true), means_ok) {
        (true, Some(true)) => (Outcome::Likely, "您很可能可以申请法律援助"),
        (_, Some(false)) => (Outcome::Unlikely, "您可能不符合法律援助的条件"),
        _ => (Outcome::AskWindow, "请到法律援助窗口确认"),
    };
    let next_steps = match outcome {
        Outcome::Likely | Outcome::AskWindow => vec![
            "带上身份证、和事情有关的材料，到法律援助窗口申请（下面可以直接取号）。".into(),
            "法律援助机构收到申请后7日内作出决定（第四十三条）。".into(),
            "也可以拨打 12348 先咨询。".into(),
        ],
        Outcome::Unlikely => vec![
            "可以在法律咨询窗口免费咨询（下面可以直接取号），或申请人民调解（免费）。".into(),
            "如果情况有变化，仍可以向法律援助机构申请，由机构审查决定。".into(),
        ],
    };
    Verdict { outcome, headline: headline.into(), reasons, next_steps }
}
