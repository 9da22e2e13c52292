//! 法律援助自测: one question at a time from `content::hall::legal_aid`, then the verdict.
//! The answers are session state only: never stored, never logged, gone on idle reset.

use super::*;
use crate::content::hall::legal_aid::{next_question, verdict, Answers, Outcome, Question, MATTERS};

/// The name the law reader knows 法律援助法 by.
const LEGAL_AID_LAW: &str = "中华人民共和国法律援助法";

/// The resident's answers so far, and the earlier ones for 上一题.
#[derive(Default)]
pub(super) struct AidState {
    answers: Answers,
    history: Vec<Answers>,
}

impl Controller {
    /// Starts the check from its first question.
    pub fn open_aid_check(&self) {
        self.state.borrow_mut().aid = AidState::default();
        let matters: Vec<SharedString> = MATTERS.iter().map(|m| SharedString::from(*m)).collect();
        self.window.global::<AidCheck>().set_matters(ModelRc::new(VecModel::from(matters)));
        self.show_aid();
        if self.state.borrow().nav.current() != Page::Aid {
            self.go(Page::Aid);
        }
    }

    pub fn aid_pick_matter(&self, index: usize) {
        if index < MATTERS.len() {
            self.aid_record(|a| a.matter = Some(index));
        }
    }

    /// 是 / 不是 to the question on screen.
    pub fn aid_answer(&self, yes: bool) {
        let question = next_question(&self.state.borrow().aid.answers);
        match question {
            Some(Question::NoMeansTest) => self.aid_record(|a| a.no_means_test = Some(yes)),
            Some(Question::ExemptGroup) => self.aid_record(|a| a.exempt_group = Some(yes)),
            Some(Question::Income) => self.aid_record(|a| a.income_below_line = Some(yes)),
            Some(Question::Matter) | None => {}
        }
    }

    /// 上一题: takes the last answer back.
    pub fn aid_undo(&self) {
        {
            let mut s = self.state.borrow_mut();
            if let Some(previous) = s.aid.history.pop() {
                s.aid.answers = previous;
            }
        }
        self.show_aid();
    }

    pub(super) fn aid_record(&self, answer: impl FnOnce(&mut Answers)) {
        {
            let mut s = self.state.borrow_mut();
            let before = s.aid.answers;
            s.aid.history.push(before);
            answer(&mut s.aid.answers);
        }
        self.show_aid();
    }

    /// Writes the current question, or the verdict, into the page.
    pub(super) fn show_aid(&self) {
        let (answers, step) = {
            let s = self.state.borrow();
            (s.aid.answers, s.aid.history.len() as i32 + 1)
        };
        let income_line = self.with_hall(|h| h.local.income_line_yuan()).flatten();
        let a = self.window.global::<AidCheck>();
        a.set_step(step);
        match next_question(&answers) {
            Some(q) => {
                let (question, cases) = split_cases(&q.text(income_line));
                a.set_question(question.into());
                a.set_question_cases(ModelRc::new(VecModel::from(cases.into_iter().map(SharedString::from).collect::<Vec<_>>())));
                a.set_asks_matter(q == Question::Matter);
            }
            None => {
                let v = verdict(&answers);
                a.set_question("".into());
                a.set_outcome(match v.outcome {
                    Outcome::Likely => 0,
                    Outcome::AskWindow => 1,
                    Outcome::Unlikely => 2,
                });
                a.set_headline(v.headline.into());
                let strings = |v: Vec<String>| ModelRc::new(VecModel::from(v.into_iter().map(SharedString::from).collect::<Vec<_>>()));
                a.set_reasons(strings(v.reasons));
                a.set_next_steps(strings(v.next_steps));
                a.set_ticket_label(match self.aid_ticket_service(v.outcome) {
                    Some((letter, name)) => format!("取号：{letter} {name}").into(),
                    None => "取号排队".into(),
                });
            }
        }
    }

    /// 法律依据: the reader at that article of 法律援助法.
    pub fn aid_open_article(&self, number: u32) {
        if let Err(e) = self.open_law_by_name(LEGAL_AID_LAW, Some(number)) {
            eprintln!("legal-aid check: {e:#}");
        }
    }

    /// The queue, with the service the verdict suggests chosen.
    pub fn aid_take_ticket(&self) {
        let outcome = verdict(&self.state.borrow().aid.answers).outcome;
        let letter = self.aid_ticket_service(outcome).map(|(l, _)| l);
        self.open_queue(letter.as_deref());
    }

    /// The hall's queue service (letter, name) the verdict points to: the legal-aid window, or
    /// free consultation when legal aid is unlikely (the verdict's next steps say so). Found by
    /// name, since each hall letters its windows itself.
    pub(super) fn aid_ticket_service(&self, outcome: Outcome) -> Option<(String, String)> {
        let wanted = match outcome {
            Outcome::Likely | Outcome::AskWindow => "法律援助",
            Outcome::Unlikely => "法律咨询",
        };
        self.with_hall(|h| h.queue.services.iter().find(|s| s.name.contains(wanted)).map(|s| (s.letter.clone(), s.name.clone())))
            .flatten()
    }
}

/// "您是否属于以下情形之一：甲；乙；丙？" → ("您是否属于以下情形之一？", [甲, 乙, 丙]): a question
/// that lists cases shows them one per line. Other questions come back whole.
fn split_cases(text: &str) -> (String, Vec<String>) {
    match text.split_once('：') {
        Some((head, list)) if list.contains('；') => {
            let cases = list.trim_end_matches('？').split('；').map(|c| c.trim().to_owned()).filter(|c| !c.is_empty()).collect();
            (format!("{head}？"), cases)
        }
        _ => (text.to_owned(), Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::split_cases;

    #[test]
    fn listed_cases_go_one_per_line() {
        let (q, cases) = split_cases("您是否属于以下人员：低保、特困；无固定生活来源的老年人；进城务工人员？");
        assert_eq!(q, "您是否属于以下人员？");
        assert_eq!(cases, ["低保、特困", "无固定生活来源的老年人", "进城务工人员"]);
        let (q, cases) = split_cases("您家每人每月收入是否低于本省规定的经济困难标准？（标准以窗口公示为准）");
        assert!(q.starts_with("您家每人每月收入") && cases.is_empty());
    }
}
