//! 办事指南: the guide list, one guide with its checklist, 设定依据 into the reader, 取号办理.

use super::*;

impl Controller {
    pub fn open_guides(&self) {
        if let Some(rows) = self.with_hall(|h| hall_view::guide_rows(&h.guides)) {
            self.window.global::<Guides>().set_rows(ModelRc::new(VecModel::from(rows)));
        }
        self.go(Page::Guides);
    }

    pub fn open_guide(&self, id: &str) {
        let Some(Some((index, guide, local, queue_name))) = self.with_hall(|h| {
            let i = h.guides.iter().position(|g| g.id == id)?;
            let g = h.guides[i].clone();
            let queue_name = g.queue.as_deref().and_then(|l| h.queue.service(l)).map(|s| s.name.clone());
            Some((i, g, h.local.clone(), queue_name))
        }) else {
            return;
        };
        let short = |law: &str| {
            let s = self.state.borrow();
            s.store.law_by_name(law).ok().flatten().map(|l| l.short_name).unwrap_or_else(|| law.to_owned())
        };
        let w = self.window.global::<Guides>();
        w.set_name(guide.name.as_str().into());
        w.set_summary(guide.summary.as_str().into());
        let elig: Vec<SharedString> = guide.eligibility.iter().map(|e| e.as_str().into()).collect();
        w.set_eligibility(ModelRc::new(VecModel::from(elig)));
        w.set_basis(ModelRc::new(VecModel::from(hall_view::basis_items(&guide, short))));
        let checked = vec![false; guide.materials.len()];
        w.set_materials(ModelRc::new(VecModel::from(hall_view::material_items(&guide, &checked))));
        w.set_steps(ModelRc::new(VecModel::from(hall_view::step_items(&guide))));
        w.set_facts(ModelRc::new(VecModel::from(hall_view::guide_facts(&guide, &local))));
        let base = if local.qr_base_url.is_empty() { "https://www.12348.gov.cn".to_owned() } else { local.qr_base_url.clone() };
        w.set_qr(hall_view::qr_image(&format!("{}/?guide={}", base.trim_end_matches('/'), guide.id)));
        w.set_queue_label(queue_name.map(|n| format!("取号办理：{n}")).unwrap_or_default().into());
        w.set_serial(w.get_serial() + 1);
        {
            let mut s = self.state.borrow_mut();
            s.guide = Some(index);
            s.checked = checked;
        }
        self.go(Page::Guide);
    }

    pub(super) fn open_basis(&self, index: usize) {
        let guide = self.state.borrow().guide;
        let Some(Some(r)) = self.with_hall(|h| h.guides.get(guide?)?.basis.get(index).cloned()) else {
            return;
        };
        let number = r.article_number().ok().flatten();
        let _ = self.open_law_by_name(&r.law, number);
    }

    pub(super) fn toggle_material(&self, index: usize) {
        let items = {
            let mut s = self.state.borrow_mut();
            if let Some(c) = s.checked.get_mut(index) {
                *c = !*c;
            }
            let (Some(i), Some(h)) = (s.guide, s.hall.as_ref()) else { return };
            hall_view::material_items(&h.guides[i], &s.checked)
        };
        self.window.global::<Guides>().set_materials(ModelRc::new(VecModel::from(items)));
    }

    pub(super) fn take_ticket_for_guide(&self) {
        let guide = self.state.borrow().guide;
        let letter = self.with_hall(|h| guide.and_then(|i| h.guides[i].queue.clone())).flatten();
        self.open_queue(letter.as_deref());
    }
}
