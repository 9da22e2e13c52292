//! Search: pinyin keys → candidates → hits, and opening a hit in the reader.

use super::*;

impl Controller {
    pub fn open_search(&self) {
        self.refresh_search_view();
        self.go(Page::Search);
    }

    pub(super) fn search_key(&self, key: &str) {
        let top = self.state.borrow().candidates.first().cloned();
        self.edit_search(|i| i.key(key, top.as_deref()));
    }

    /// Types `letters` on the pinyin keyboard, as a resident would (tests, screenshots).
    pub fn type_keys(&self, letters: &str) {
        for c in letters.chars() {
            self.search_key(&c.to_string());
        }
    }

    pub(super) fn edit_search(&self, edit: impl FnOnce(&mut SearchInput)) {
        edit(&mut self.state.borrow_mut().input);
        self.run_search();
        self.refresh_search_view();
    }

    /// Recomputes candidates and results for the current input.
    pub(super) fn run_search(&self) {
        let mut s = self.state.borrow_mut();
        let candidates = if s.input.pinyin.is_empty() {
            Vec::new()
        } else {
            s.store.pinyin_candidates(&s.input.pinyin, CANDIDATES).unwrap_or_default()
        };
        let query = s.input.query(candidates.first().map(String::as_str));
        let hits = if query.trim().is_empty() {
            Vec::new()
        } else {
            s.store.search(&query, RESULTS).map(|r| r.hits).unwrap_or_default()
        };
        s.candidates = candidates;
        s.hits = hits;
    }

    pub(super) fn refresh_search_view(&self) {
        let s = self.state.borrow();
        let search = self.window.global::<Search>();
        search.set_committed(s.input.committed.join(" ").into());
        search.set_pinyin(s.input.pinyin.as_str().into());
        let cands: Vec<SharedString> = s.candidates.iter().map(|c| c.as_str().into()).collect();
        search.set_candidates(ModelRc::new(VecModel::from(cands)));
        let hits: Vec<HitItem> = s.hits.iter().map(hit_item).collect();
        search.set_hits(ModelRc::new(VecModel::from(hits)));
        let shown = s.input.query(s.candidates.first().map(String::as_str));
        search.set_summary(
            if s.hits.is_empty() {
                format!("没有找到“{shown}”。换个词试试，或拨打 12348 免费咨询。")
            } else if s.hits.len() == RESULTS {
                format!("“{shown}”：显示最相关的 {RESULTS} 条")
            } else {
                format!("“{shown}”：找到 {} 条", s.hits.len())
            }
            .into(),
        );
    }

    pub(super) fn open_hit(&self, index: usize) {
        let hit = self.state.borrow().hits.get(index).cloned();
        if let Some(hit) = hit {
            let seq = (hit.kind != HitKind::Title).then_some(hit.seq);
            self.open_law(hit.doc, seq);
        }
    }
}

fn hit_item(h: &Hit) -> HitItem {
    HitItem {
        doc: h.doc as i32,
        seq: h.seq as i32,
        law: h.short_name.as_str().into(),
        label: h.label.as_str().into(),
        status: h.status.label().into(),
        before: h.snippet.before.as_str().into(),
        matched: h.snippet.matched.as_str().into(),
        after: h.snippet.after.as_str().into(),
        title_hit: h.kind == HitKind::Title,
    }
}
