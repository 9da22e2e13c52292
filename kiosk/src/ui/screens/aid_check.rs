//! 法律援助自测: one question at a time from `content::hall::legal_aid`, then the verdict.
//! The answers are session state only: never stored, never logged, gone on idle reset.

use std::cell::RefCell;
use std::rc::Weak;

use anyhow::Result;
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};

use super::{on, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::Config;
use crate::content::hall::legal_aid::{
    next_question, verdict, Answers, Outcome, Question, Reply, MATTERS,
};
use crate::phrase;
use crate::text::i18n::{tr, Arg, Language, Phrase};
use crate::ui::{AidBasis, AidCheck, AidOutcome, AidReply, AppWindow, Page};

/// The name the law reader knows 法律援助法 by.
const LEGAL_AID_LAW: &str = "中华人民共和国法律援助法";

/// The guides whose queue service a verdict points to: the hall letters its windows itself, and
/// each guide names the service that handles it (checked at `bundle build`). A deployment
/// without these guides gets the queue page with no service chosen, and the button says 取号排队.
const LEGAL_AID_GUIDE: &str = "legal-aid";
const CONSULTATION_GUIDE: &str = "legal-consultation";

/// The resident's answers so far, and the earlier ones for 上一题.
#[derive(Debug, Default)]
struct State {
    answers: Answers,
    history: Vec<Answers>,
}

pub(crate) struct AidCheckScreen {
    state: RefCell<State>,
    cases: ListModel<SharedString>,
    reasons: ListModel<SharedString>,
    next_steps: ListModel<SharedString>,
    basis: ListModel<AidBasis>,
}

impl AidCheckScreen {
    /// Starts the check from its first question.
    pub(crate) fn open_aid_check(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        k.screens().queue.clear_takeaway_note(k);
        self.show(k);
        if k.current_page() != Page::Aid {
            k.go(Page::Aid);
        }
    }

    pub(crate) fn pick_matter(&self, k: &dyn Kiosk, index: usize) {
        if index < MATTERS.len() {
            self.record(k, |a| a.matter = Some(index));
        }
    }

    /// 是 / 不是 / 不清楚 to the question on screen.
    pub(crate) fn answer(&self, k: &dyn Kiosk, reply: Reply) {
        let question = next_question(&self.state.borrow().answers);
        let r = Some(reply);
        match question {
            Some(Question::MandatoryDefence) => self.record(k, |a| a.mandatory_defence = r),
            Some(Question::NoMeansTest) => self.record(k, |a| a.no_means_test = r),
            Some(Question::ExemptGroup) => self.record(k, |a| a.exempt_group = r),
            Some(Question::Income) => self.record(k, |a| a.income_below_line = r),
            Some(Question::Matter) | None => {}
        }
    }

    /// 上一题: takes the last answer back.
    fn undo(&self, k: &dyn Kiosk) {
        {
            let mut s = self.state.borrow_mut();
            if let Some(previous) = s.history.pop() {
                s.answers = previous;
            }
        }
        self.show(k);
    }

    fn record(&self, k: &dyn Kiosk, answer: impl FnOnce(&mut Answers)) {
        {
            let mut s = self.state.borrow_mut();
            let before = s.answers;
            s.history.push(before);
            answer(&mut s.answers);
        }
        self.show(k);
    }

    /// Writes the current question, or the verdict, into the page.
    fn show(&self, k: &dyn Kiosk) {
        let (answers, step) = {
            let s = self.state.borrow();
            (s.answers, s.history.len() as i32 + 1)
        };
        let income_line = k.hall().and_then(|h| h.local.income_line_yuan());
        let language = k.language();
        let a = k.window().global::<AidCheck>();
        a.set_step(step);
        a.set_matters(ModelRc::new(VecModel::from(terms(MATTERS.iter().copied(), language))));
        match next_question(&answers) {
            Some(q) => {
                let prompt = q.prompt(income_line);
                a.set_question(prompt.question.text(language).into());
                self.cases.set(terms(prompt.cases.iter().copied(), language));
                a.set_asks_matter(q == Question::Matter);
            }
            None => {
                let v = verdict(&answers);
                a.set_question("".into());
                a.set_outcome(match v.outcome {
                    Outcome::Likely => AidOutcome::Likely,
                    Outcome::AskWindow => AidOutcome::AskWindow,
                    Outcome::Unlikely => AidOutcome::Unlikely,
                });
                a.set_headline(v.headline.text(language).into());
                self.reasons.set(written(&v.reasons, language));
                self.next_steps.set(written(&v.next_steps, language));
                self.basis.set(
                    v.basis
                        .iter()
                        .map(|b| AidBasis {
                            number: b.number as i32,
                            label: b.label().text(language).into(),
                        })
                        .collect(),
                );
                // The page writes 取号：C 法律咨询, or 取号排队 when no service fits.
                let (letter, name) = ticket_service(k, v.outcome).unzip();
                a.set_ticket_letter(letter.unwrap_or_default().into());
                a.set_ticket_service(name.unwrap_or_default().into());
            }
        }
    }

    /// 法律依据: the reader at that article of 法律援助法.
    fn open_article(&self, k: &dyn Kiosk, number: u32) {
        if let Err(e) = k.screens().reader.open_law_by_name(k, LEGAL_AID_LAW, Some(number)) {
            crate::observe::fault("store", &e.context("legal-aid check: opening 法律援助法"));
        }
    }

    /// The answer on paper: the headline, the next steps and the articles, so the resident
    /// brings it to the window. Not the reasons: they repeat what was tapped (the matter, a
    /// group such as 低保 or a crime victim), and paper from a public slot can be left behind.
    fn print_result(&self, k: &dyn Kiosk) {
        let answers = self.state.borrow().answers;
        if next_question(&answers).is_some() {
            return;
        }
        let v = verdict(&answers);
        let language = k.language();
        let text = |p: Phrase| p.text(language);
        let mut lines = vec![v.headline.text(language), text(phrase!("接下来怎么办："))];
        lines.extend(
            v.next_steps
                .iter()
                .enumerate()
                .map(|(i, s)| format!("{}. {}", i + 1, s.text(language))),
        );
        let articles: Vec<String> =
            v.basis.iter().map(|b| text(phrase!("第{}条", Arg::numeral(b.number)))).collect();
        lines
            .push(text(phrase!("法律依据：《法律援助法》{}", articles.join(&text(phrase!("、"))))));
        lines.push(text(phrase!("结果仅供参考，以法律援助机构审查为准。")));
        k.screens().queue.print_page(k, text(phrase!("法律援助自测结果")), lines, None);
    }

    /// The queue, with the service the verdict suggests chosen.
    fn take_ticket(&self, k: &dyn Kiosk) {
        let outcome = verdict(&self.state.borrow().answers).outcome;
        let letter = ticket_service(k, outcome).map(|(l, _)| l);
        k.screens().queue.open_queue(k, letter.as_deref());
    }
}

/// The hall's queue service (letter, name) the verdict points to: the legal-aid window, or free
/// consultation when legal aid is unlikely (the verdict's next steps say so).
fn ticket_service(k: &dyn Kiosk, outcome: Outcome) -> Option<(String, String)> {
    let guide = match outcome {
        Outcome::Likely | Outcome::AskWindow => LEGAL_AID_GUIDE,
        Outcome::Unlikely => CONSULTATION_GUIDE,
    };
    let h = k.hall()?;
    let letter = h.guide(guide)?.queue.as_deref()?;
    h.queue.service(letter).map(|s| (s.letter.clone(), s.name.clone()))
}

/// `zh!` terms (the matters, a question's cases) in `language`.
fn terms(zh: impl Iterator<Item = &'static str>, language: Language) -> Vec<SharedString> {
    zh.map(|t| tr(language, t).into()).collect()
}

fn written(phrases: &[Phrase], language: Language) -> Vec<SharedString> {
    phrases.iter().map(|p| p.text(language).into()).collect()
}

impl AidCheckScreen {
    /// Every property of the global at its fresh value (`new` and `reset` both end here).
    fn clear(&self, window: &AppWindow) {
        self.cases.set(Vec::new());
        self.reasons.set(Vec::new());
        self.next_steps.set(Vec::new());
        self.basis.set(Vec::new());
        let a = window.global::<AidCheck>();
        a.set_matters(ModelRc::new(VecModel::from(terms(MATTERS.iter().copied(), Language::Hans))));
        a.set_question("".into());
        a.set_asks_matter(false);
        a.set_step(0);
        a.set_outcome(AidOutcome::Likely);
        a.set_headline("".into());
        a.set_ticket_service("".into());
        a.set_ticket_letter("".into());
    }
}

impl ScreenType for AidCheckScreen {
    const DEMOS: &'static [&'static str] = &["aid-check", "aid-question", "aid-result"];

    fn new(window: &AppWindow, _: &Config) -> Self {
        let s = AidCheckScreen {
            state: RefCell::default(),
            cases: ListModel::new(),
            reasons: ListModel::new(),
            next_steps: ListModel::new(),
            basis: ListModel::new(),
        };
        let a = window.global::<AidCheck>();
        a.set_question_cases(s.cases.handle());
        a.set_reasons(s.reasons.handle());
        a.set_next_steps(s.next_steps.handle());
        a.set_basis(s.basis.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let a = window.global::<AidCheck>();
        on!(k, a, on_open_check, |c| c.screens().aid_check.open_aid_check(&*c));
        on!(k, a, on_pick_matter, |c, i| c.screens().aid_check.pick_matter(&*c, i.max(0) as usize));
        on!(k, a, on_answer, |c, reply| {
            let reply = match reply {
                AidReply::Yes => Reply::Yes,
                AidReply::No => Reply::No,
                AidReply::NotSure => Reply::NotSure,
            };
            c.screens().aid_check.answer(&*c, reply)
        });
        on!(k, a, on_undo, |c| c.screens().aid_check.undo(&*c));
        on!(k, a, on_open_article, |c, n| c.screens().aid_check.open_article(&*c, n.max(0) as u32));
        on!(k, a, on_take_ticket, |c| c.screens().aid_check.take_ticket(&*c));
        on!(k, a, on_print_result, |c| c.screens().aid_check.print_result(&*c));
    }
}

impl Screen for AidCheckScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        self.clear(k.window());
    }

    fn language_changed(&self, k: &dyn Kiosk) {
        // Step 0: the check was not opened this session, there is nothing to rewrite.
        if k.window().global::<AidCheck>().get_step() > 0 {
            self.show(k);
        }
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let a = k.window().global::<AidCheck>();
        format!(
            "{:?}; {:?} {} step {}; {:?} {:?} {:?}; cases {:?}; reasons {:?}; next {:?}; basis {:?}",
            self.state.borrow(),
            a.get_question(),
            a.get_asks_matter(),
            a.get_step(),
            a.get_outcome(),
            a.get_headline(),
            (a.get_ticket_letter(), a.get_ticket_service()),
            self.cases,
            self.reasons,
            self.next_steps,
            self.basis
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, _: &DemoArgs) -> Result<()> {
        self.open_aid_check(k);
        if name != "aid-check" {
            // 讨要工资 → the 第三十二条 question.
            self.pick_matter(k, 0);
        }
        if name == "aid-result" {
            // Not a 第三十二条 case, a migrant worker (第四十二条): likely eligible.
            self.answer(k, Reply::No);
            self.answer(k, Reply::Yes);
        }
        Ok(())
    }
}
