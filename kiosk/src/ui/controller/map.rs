//! Service points: the schematic map (zoom by county, pins, cards) and the list by distance.

use super::*;

impl Controller {
    pub(super) fn here(&self) -> Option<(f64, f64)> {
        let id = self.config.here.clone()?;
        self.with_hall(|h| h.points.points.iter().find(|p| p.id == id).map(|p| (p.lon, p.lat))).flatten()
    }

    pub fn open_map(&self) {
        let Some((caption, sample, labels)) = self.with_hall(|h| {
            let sample = if h.points.sample { "网点为示例数据，以司法局公布为准" } else { "" };
            (format!("{} · 坐标系 {}", h.map.caption, h.map.datum), sample.to_owned(), hall_view::county_labels(&h.map))
        }) else {
            return;
        };
        let m = self.window.global::<MapView>();
        m.set_counties(ModelRc::new(VecModel::from(labels)));
        m.set_caption(caption.into());
        m.set_sample_note(sample.into());
        m.set_card_open(false);
        self.zoom_map(None);
        self.go(Page::Map);
    }

    /// Zooms to a county (None: the whole region). A county's box is fitted to the canvas'
    /// shape (last reported by the page), so the outlines cut to it cover the canvas.
    pub fn zoom_map(&self, adcode: Option<&str>) {
        let Some(Some((bbox, title))) = self.with_hall(|h| match adcode {
            None => Some(([0.0, 0.0, h.map.width, h.map.height], "全市".to_owned())),
            Some(code) => h.map.county(code).map(|c| (c.bbox, c.name.clone())),
        }) else {
            return;
        };
        let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
        let (bw, bh) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
        let (w, h) = match adcode {
            // The page widens the region to its shape; nothing is cut, so no aspect is needed.
            None => (bw * 1.04, bh * 1.04),
            Some(_) => {
                let aspect = self.state.borrow().canvas_aspect;
                let w = bw.max(bh / aspect) * 1.1;
                (w, w * aspect)
            }
        };
        let vb = [cx - w / 2.0, cy - h / 2.0, w, h];
        self.state.borrow_mut().viewbox = vb;
        let here_id = self.config.here.clone();
        // Only a zoomed view cuts the outlines; the whole region shows them all.
        let zoomed = adcode.is_some().then_some(vb);
        let ((outline, ob), pins) = self
            .with_hall(|h| {
                // Pins closer than 7 % of the view's width (~70 px on the canvas) merge.
                (hall_view::map_outline(&h.map, zoomed), hall_view::pins(&h.map, &h.points.points, here_id.as_deref(), w * 0.07))
            })
            .unwrap_or_default();
        let m = self.window.global::<MapView>();
        m.set_outline(outline.into());
        m.set_outline_x(ob[0]);
        m.set_outline_y(ob[1]);
        m.set_outline_w(ob[2]);
        m.set_outline_h(ob[3]);
        m.set_vb_x(vb[0]);
        m.set_vb_y(vb[1]);
        m.set_vb_w(vb[2]);
        m.set_vb_h(vb[3]);
        m.set_title(title.into());
        m.set_zoomed(adcode.is_some());
        m.set_pins(ModelRc::new(VecModel::from(pins)));
    }

    /// A tap on the map at plane point (x, y), on a canvas `aspect` (height / width): zoom
    /// into the county under it.
    pub fn tap_map(&self, x: f32, y: f32, aspect: f32) {
        self.note_canvas_aspect(aspect);
        let code = self.with_hall(|h| h.map.county_at(x, y).map(|c| c.adcode.clone())).flatten();
        if let Some(code) = code {
            self.zoom_map(Some(&code));
        }
    }

    /// A pin: its card, or for a cluster, the list of the points it gathers (nearest first).
    pub(super) fn open_pin(&self, id: &str, aspect: f32) {
        self.note_canvas_aspect(aspect);
        let count = {
            let m = self.window.global::<MapView>();
            let pins = m.get_pins();
            (0..slint::Model::row_count(&pins)).filter_map(|i| slint::Model::row_data(&pins, i)).find(|p| p.id == id).map(|p| p.count)
        };
        if count.unwrap_or(1) > 1 {
            let vb = self.state.borrow().viewbox;
            let county = self.with_hall(|h| h.points.points.iter().find(|p| p.id == id).map(|p| p.county.clone())).flatten();
            // Zoom first; when the county view still merges them, list them.
            if vb[2] > 400.0 {
                if let Some(c) = county {
                    self.zoom_map(Some(&c));
                    return;
                }
            }
            self.open_points("");
            return;
        }
        self.open_point(id);
    }

    /// The map canvas' height / width, as the page reports it with a tap.
    fn note_canvas_aspect(&self, aspect: f32) {
        if aspect.is_finite() && aspect > 0.05 {
            self.state.borrow_mut().canvas_aspect = aspect;
        }
    }

    pub fn open_points(&self, filter: &str) {
        let here = self.here();
        let Some((rows, filters)) = self.with_hall(|h| {
            let service = (!filter.is_empty()).then_some(filter);
            let rows: Vec<_> = match here {
                Some(here) => nearest(&h.points.points, here, service).into_iter().map(|(p, d)| hall_view::point_row(p, Some(d))).collect(),
                None => h.points.points.iter().filter(|p| service.is_none_or(|s| p.services.iter().any(|x| x == s))).map(|p| hall_view::point_row(p, None)).collect(),
            };
            let filters: Vec<SharedString> = services(&h.points.points).into_iter().map(Into::into).collect();
            (rows, filters)
        }) else {
            return;
        };
        self.state.borrow_mut().filter = filter.to_owned();
        let m = self.window.global::<MapView>();
        m.set_rows(ModelRc::new(VecModel::from(rows)));
        m.set_filters(ModelRc::new(VecModel::from(filters)));
        m.set_filter(filter.into());
        m.set_card_open(false);
        self.go(Page::Points);
    }

    pub fn open_point(&self, id: &str) {
        let here = self.here();
        let Some(Some((name, facts, qr))) = self.with_hall(|h| {
            let p = h.points.points.iter().find(|p| p.id == id)?;
            let d = here.map(|here| distance_m(here, (p.lon, p.lat)));
            Some((p.name.clone(), hall_view::point_facts(p, d), hall_view::point_qr_payload(p)))
        }) else {
            return;
        };
        let m = self.window.global::<MapView>();
        m.set_card_name(name.into());
        m.set_card_facts(ModelRc::new(VecModel::from(facts)));
        m.set_card_qr(hall_view::qr_image(&qr));
        m.set_card_open(true);
    }
}
