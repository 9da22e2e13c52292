//! Service points: the schematic map (zoom by county, pins, cards) and the list by distance.

use std::cell::{Cell, RefCell};
use std::rc::Weak;

use anyhow::Result;
use slint::{ComponentHandle, SharedString};

use super::{on, strings, DemoArgs, Kiosk, ListModel, Screen, ScreenType};
use crate::app::config::{Config, Orientation};
use crate::content::hall::points::{distance_m, nearest, services, ServicePoint};
use crate::ui::hall_view;
use crate::ui::{AppWindow, CountyLabel, FactItem, MapView, Page, PinItem, PinStyle, PointRow};

/// The whole region's viewbox before anything is zoomed (plane units).
const WHOLE: [f32; 4] = [0.0, 0.0, 1000.0, 1000.0];
/// The map page's padding on each side, and in landscape the legend's column and its spacing
/// beside the map (ui/pages/map.slint): the canvas is the panel's width less them.
const MAP_PADDING_PX: f32 = 32.0;
const MAP_SIDE_PX: f32 = 360.0 + 16.0;

/// What the resident looked at: the zoom, the list's filter, the card open.
#[derive(Debug)]
struct State {
    /// Map viewbox in plane units: x, y, width, height.
    viewbox: [f32; 4],
    /// The county zoomed into (None: the whole city).
    county: Option<String>,
    filter: String,
    card: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        State { viewbox: WHOLE, county: None, filter: String::new(), card: None }
    }
}

pub(crate) struct MapScreen {
    state: RefCell<State>,
    /// The map canvas' height / width: reported by the page with each tap, estimated from the
    /// orientation until then (screenshots zoom without a tap). The panel's, not the resident's.
    canvas_aspect: Cell<f32>,
    counties: ListModel<CountyLabel>,
    pins: ListModel<PinItem>,
    legend: ListModel<PinStyle>,
    rows: ListModel<PointRow>,
    filters: ListModel<SharedString>,
    card_facts: ListModel<FactItem>,
}

impl MapScreen {
    /// Where the kiosk stands (the configured service point), as longitude/latitude.
    fn here(&self, k: &dyn Kiosk) -> Option<(f64, f64)> {
        let id = k.config().here.as_deref()?;
        k.hall()?.points.points.iter().find(|p| p.id == id).map(|p| (p.lon, p.lat))
    }

    pub(crate) fn open_map(&self, k: &dyn Kiosk) {
        let Some(h) = k.hall() else { return };
        let sample =
            if h.points.sample { "网点为示例数据，以司法局公布为准" } else { "" };
        let m = k.window().global::<MapView>();
        // The datum (GCJ-02) is for technicians and the QR's map app, not for residents.
        m.set_caption(h.map.caption.as_str().into());
        m.set_sample_note(sample.into());
        self.close_card(k);
        self.zoom_map(k, None);
        k.go(Page::Map);
    }

    /// Zooms to a county (None: the whole region). A county's box is fitted to the canvas'
    /// shape (last reported by the page), so the outlines cut to it cover the canvas.
    pub(crate) fn zoom_map(&self, k: &dyn Kiosk, adcode: Option<&str>) {
        let Some(h) = k.hall() else { return };
        let Some((bbox, title)) = (match adcode {
            None => Some(([0.0, 0.0, h.map.width, h.map.height], "全市".to_owned())),
            Some(code) => h.map.county(code).map(|c| (c.bbox, c.name.clone())),
        }) else {
            return;
        };
        let (cx, cy) = ((bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0);
        let (bw, bh) = (bbox[2] - bbox[0], bbox[3] - bbox[1]);
        let (w, ht) = match adcode {
            // The page widens the region to its shape; nothing is cut, so no aspect is needed.
            None => (bw * 1.04, bh * 1.04),
            Some(_) => {
                let aspect = self.canvas_aspect.get();
                let w = bw.max(bh / aspect) * 1.1;
                (w, w * aspect)
            }
        };
        let vb = [cx - w / 2.0, cy - ht / 2.0, w, ht];
        // Only a zoomed view cuts the outlines; the whole region shows them all.
        let (outline, ob) = hall_view::map_outline(&h.map, adcode.is_some().then_some(vb));
        // Pins closer than 7 % of the view's width (~70 px on the canvas) merge.
        let pins = hall_view::pins(&h.map, &h.points.points, k.config().here.as_deref(), w * 0.07);
        let m = k.window().global::<MapView>();
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
        // The canvas' scale as the page will fit the view (see ui/pages/map.slint): the width
        // of the panel less the page's padding, over the view's width widened to the canvas.
        let side = if k.config().orientation == Orientation::Landscape { MAP_SIDE_PX } else { 0.0 };
        let canvas_px = k.config().orientation.size().0 as f32 - 2.0 * MAP_PADDING_PX - side;
        let aspect = self.canvas_aspect.get();
        let (view_w, view_h) =
            if vb[3] / vb[2] < aspect { (vb[2], vb[2] * aspect) } else { (vb[3] / aspect, vb[3]) };
        let view = [cx - view_w / 2.0, cy - view_h / 2.0, view_w, view_h];
        let mut labels = hall_view::county_labels(&h.map);
        hall_view::place_labels(&mut labels, &pins, canvas_px / view_w, view);
        self.counties.set(labels);
        let mut legend: Vec<PinStyle> = Vec::new();
        for p in pins.iter().filter(|p| !p.here) {
            if !legend.contains(&p.style) {
                legend.push(p.style);
            }
        }
        legend.sort_by_key(|s| *s as i32);
        self.legend.set(legend);
        self.pins.set(pins);
        let mut state = self.state.borrow_mut();
        state.viewbox = vb;
        state.county = adcode.map(str::to_owned);
    }

    /// The canvas changed shape (长辈模式's larger bars, the staff-call banner): the county
    /// labels are placed clear of each other and of the pins again, for the new scale.
    fn canvas_resized(&self, k: &dyn Kiosk, aspect: f32) {
        let before = self.canvas_aspect.get();
        self.note_canvas_aspect(aspect);
        if (self.canvas_aspect.get() - before).abs() > 0.005 && k.current_page() == Page::Map {
            let county = self.state.borrow().county.clone();
            self.zoom_map(k, county.as_deref());
        }
    }

    /// A tap on the map at plane point (x, y), on a canvas `aspect` (height / width): zoom
    /// into the county under it.
    pub(crate) fn tap_map(&self, k: &dyn Kiosk, x: f32, y: f32, aspect: f32) {
        self.note_canvas_aspect(aspect);
        let code = k.hall().and_then(|h| h.map.county_at(x, y).map(|c| c.adcode.clone()));
        if let Some(code) = code {
            self.zoom_map(k, Some(&code));
        }
    }

    /// A pin: its card, or for a cluster, the list of the points it gathers (nearest first).
    fn open_pin(&self, k: &dyn Kiosk, id: &str, aspect: f32) {
        self.note_canvas_aspect(aspect);
        // The pins this screen put on the map (its own model, not read back from the page).
        let count = self.pins.rows().find(|p| p.id == id).map(|p| p.count);
        let width = self.state.borrow().viewbox[2];
        if count.unwrap_or(1) > 1 {
            let county = k.hall().and_then(|h| {
                h.points.points.iter().find(|p| p.id == id).map(|p| p.county.clone())
            });
            // Zoom first; when the county view still merges them, list them.
            if let Some(c) = county.filter(|_| width > 400.0) {
                self.zoom_map(k, Some(&*c));
            } else {
                self.open_points(k, "");
            }
            return;
        }
        self.open_point(k, id);
    }

    /// The map canvas' height / width, as the page reports it with a tap.
    fn note_canvas_aspect(&self, aspect: f32) {
        if aspect.is_finite() && aspect > 0.05 {
            self.canvas_aspect.set(aspect);
        }
    }

    pub(crate) fn open_points(&self, k: &dyn Kiosk, filter: &str) {
        let here = self.here(k);
        let here_id = k.config().here.clone();
        let is_here = |p: &ServicePoint| here_id.as_deref() == Some(p.id.as_str());
        let Some(h) = k.hall() else { return };
        let service = (!filter.is_empty()).then_some(filter);
        let rows: Vec<_> = match here {
            Some(here) => nearest(&h.points.points, here, service)
                .into_iter()
                .map(|(p, d)| hall_view::point_row(p, Some(d), is_here(p)))
                .collect(),
            None => h
                .points
                .points
                .iter()
                .filter(|p| service.is_none_or(|s| p.services.iter().any(|x| x == s)))
                .map(|p| hall_view::point_row(p, None, is_here(p)))
                .collect(),
        };
        self.rows.set(rows);
        self.filters.set(strings(services(&h.points.points)));
        self.state.borrow_mut().filter = filter.to_owned();
        k.window().global::<MapView>().set_filter(filter.into());
        self.close_card(k);
        k.go(Page::Points);
    }

    pub(crate) fn open_point(&self, k: &dyn Kiosk, id: &str) {
        let here = self.here(k);
        let Some(h) = k.hall() else { return };
        let Some(p) = h.points.points.iter().find(|p| p.id == id) else { return };
        let d = here.map(|here| distance_m(here, (p.lon, p.lat)));
        let is_here = k.config().here.as_deref() == Some(p.id.as_str());
        self.card_facts.set(hall_view::point_facts(p, is_here));
        let m = k.window().global::<MapView>();
        m.set_card_metres(hall_view::whole_metres(d, is_here));
        m.set_card_name(p.name.as_str().into());
        // No way to walk to where one stands: the kiosk's own point has no navigation code.
        m.set_card_here(is_here);
        m.set_card_qr(if is_here {
            Default::default()
        } else {
            hall_view::qr_image(&hall_view::point_qr_payload(p))
        });
        m.set_card_open(true);
        self.state.borrow_mut().card = Some(id.to_owned());
    }

    fn close_card(&self, k: &dyn Kiosk) {
        self.state.borrow_mut().card = None;
        k.window().global::<MapView>().set_card_open(false);
    }
}

impl MapScreen {
    /// Every property of the global at its fresh value (`new` and `reset` both end here).
    fn clear(&self, window: &AppWindow) {
        self.counties.set(Vec::new());
        self.pins.set(Vec::new());
        self.legend.set(Vec::new());
        self.rows.set(Vec::new());
        self.filters.set(Vec::new());
        self.card_facts.set(Vec::new());
        let m = window.global::<MapView>();
        m.set_outline("".into());
        m.set_outline_x(0.0);
        m.set_outline_y(0.0);
        m.set_outline_w(1.0);
        m.set_outline_h(1.0);
        m.set_vb_x(WHOLE[0]);
        m.set_vb_y(WHOLE[1]);
        m.set_vb_w(WHOLE[2]);
        m.set_vb_h(WHOLE[3]);
        m.set_caption("".into());
        m.set_sample_note("".into());
        m.set_filter("".into());
        m.set_card_open(false);
        m.set_card_name("".into());
        m.set_card_qr(Default::default());
        m.set_card_here(false);
        m.set_card_metres(-1);
        m.set_zoomed(false);
        m.set_title("".into());
    }
}

impl ScreenType for MapScreen {
    const DEMOS: &'static [&'static str] = &["map", "map-county", "point", "points"];

    fn new(window: &AppWindow, config: &Config) -> Self {
        let s = MapScreen {
            state: RefCell::default(),
            // The canvas' shape as the page lays it out (measured on the rendered pages); a tap
            // reports the real one.
            canvas_aspect: Cell::new(match config.orientation {
                Orientation::Portrait => 1.37,
                Orientation::Landscape => 0.48,
            }),
            counties: ListModel::new(),
            pins: ListModel::new(),
            legend: ListModel::new(),
            rows: ListModel::new(),
            filters: ListModel::new(),
            card_facts: ListModel::new(),
        };
        let m = window.global::<MapView>();
        m.set_counties(s.counties.handle());
        m.set_pins(s.pins.handle());
        m.set_legend(s.legend.handle());
        m.set_rows(s.rows.handle());
        m.set_filters(s.filters.handle());
        m.set_card_facts(s.card_facts.handle());
        s.clear(window);
        s
    }

    fn wire(window: &AppWindow, k: &Weak<dyn Kiosk>) {
        let m = window.global::<MapView>();
        on!(k, m, on_open_map, |c| c.screens().map.open_map(&*c));
        on!(k, m, on_tap_map, |c, x, y, aspect| c.screens().map.tap_map(&*c, x, y, aspect));
        on!(k, m, on_canvas_resized, |c, aspect| c.screens().map.canvas_resized(&*c, aspect));
        on!(k, m, on_zoom_out, |c| c.screens().map.zoom_map(&*c, None));
        on!(k, m, on_open_pin, |c, id, aspect| c.screens().map.open_pin(&*c, &id, aspect));
        on!(k, m, on_open_list, |c| c.screens().map.open_points(&*c, ""));
        on!(k, m, on_set_filter, |c, f| c.screens().map.open_points(&*c, &f));
        on!(k, m, on_open_point, |c, id| c.screens().map.open_point(&*c, &id));
        on!(k, m, on_close_card, |c| c.screens().map.close_card(&*c));
    }
}

impl Screen for MapScreen {
    fn reset(&self, k: &dyn Kiosk) {
        *self.state.borrow_mut() = State::default();
        self.clear(k.window());
    }

    fn session_state(&self, k: &dyn Kiosk) -> String {
        let m = k.window().global::<MapView>();
        format!(
            "{:?}; pins {:?}; legend {:?}; counties {:?}; rows {:?}; card {} {} {:?} {:?} {}; \
             filter {:?}; zoomed {} {:?}; view {} {} {} {}; outline {} chars",
            self.state.borrow(),
            self.pins,
            self.legend,
            self.counties,
            self.rows,
            m.get_card_open(),
            m.get_card_here(),
            m.get_card_name(),
            self.card_facts,
            m.get_card_qr().size().width,
            m.get_filter(),
            m.get_zoomed(),
            m.get_title(),
            m.get_vb_x(),
            m.get_vb_y(),
            m.get_vb_w(),
            m.get_vb_h(),
            m.get_outline().len()
        )
    }

    fn show_demo(&self, k: &dyn Kiosk, name: &str, args: &DemoArgs) -> Result<()> {
        match name {
            "points" => self.open_points(k, &args.filter),
            _ => {
                self.open_map(k);
                match name {
                    "map-county" => self.zoom_map(k, Some(&args.county)),
                    "point" => self.open_point(k, &args.point),
                    _ => {}
                }
            }
        }
        Ok(())
    }
}
