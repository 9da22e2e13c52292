//! Turns hall content (guides, service points, map, queue) into the rows the Slint pages show.
//! Pure functions: the controller decides when, these decide what.

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

use super::{
    BasisItem, CountyLabel, FactItem, GuideRow, GuideRowKind, MaterialItem, PinItem, PinStyle,
    PointRow, StepItem,
};
use crate::content::hall::guides::Guide;
use crate::content::hall::map::SchematicMap;
use crate::content::hall::points::{PointKind, ServicePoint};
use crate::content::hall::{or_ask, LocalFacts};

/// A QR code as a crisp image: 8 px modules and the 4-module quiet zone scanners need.
pub fn qr_image(payload: &str) -> Image {
    let Ok(code) = qrcode::QrCode::new(payload.as_bytes()) else { return Image::default() };
    let modules = code.width();
    let colors = code.to_colors();
    let (scale, quiet) = (8usize, 4usize);
    let side = (modules + 2 * quiet) * scale;
    let mut buf = SharedPixelBuffer::<Rgb8Pixel>::new(side as u32, side as u32);
    let px = buf.make_mut_slice();
    for y in 0..side {
        for x in 0..side {
            let (mx, my) = ((x / scale).wrapping_sub(quiet), (y / scale).wrapping_sub(quiet));
            let dark =
                mx < modules && my < modules && colors[my * modules + mx] == qrcode::Color::Dark;
            let v = if dark { 0 } else { 255 };
            px[y * side + x] = Rgb8Pixel { r: v, g: v, b: v };
        }
    }
    Image::from_rgb8(buf)
}

/// The guide list: a heading row per group, then its guides, in file order within a group.
pub fn guide_rows(guides: &[Guide]) -> Vec<GuideRow> {
    // Groups in the order of their queue letters (A 法律援助, B 人民调解 …): the hall's own order.
    let mut groups: Vec<(&str, &str)> = Vec::new();
    for g in guides {
        let letter = g.queue.as_deref().unwrap_or("Z");
        match groups.iter_mut().find(|(name, _)| *name == g.group) {
            Some(entry) => entry.1 = entry.1.min(letter),
            None => groups.push((&g.group, letter)),
        }
    }
    groups.sort_by_key(|&(name, letter)| (letter, name));
    let groups: Vec<&str> = groups.into_iter().map(|(name, _)| name).collect();
    let mut rows = Vec::new();
    for group in groups {
        rows.push(GuideRow { kind: GuideRowKind::Group, name: group.into(), ..Default::default() });
        for g in guides.iter().filter(|g| g.group == group) {
            rows.push(GuideRow {
                kind: GuideRowKind::Guide,
                id: g.id.as_str().into(),
                name: g.name.as_str().into(),
                summary: g.summary.as_str().into(),
            });
        }
    }
    rows
}

pub fn basis_items(g: &Guide, short_name: impl Fn(&str) -> String) -> Vec<BasisItem> {
    g.basis
        .iter()
        .map(|r| BasisItem {
            label: r.label(&short_name(&r.law)).into(),
            note: r.note.as_str().into(),
        })
        .collect()
}

pub fn material_items(g: &Guide, checked: &[bool]) -> Vec<MaterialItem> {
    g.materials
        .iter()
        .enumerate()
        .map(|(i, m)| MaterialItem {
            name: m.name.as_str().into(),
            form: m.form.as_str().into(),
            copies: m.copies as i32,
            note: m.note.as_str().into(),
            required: m.required,
            checked: checked.get(i).copied().unwrap_or(false),
        })
        .collect()
}

pub fn step_items(g: &Guide) -> Vec<StepItem> {
    g.steps
        .iter()
        .enumerate()
        .map(|(i, s)| StepItem {
            number: i as i32 + 1,
            title: s.title.as_str().into(),
            actor: s.actor.as_str().into(),
            time_limit: s.time_limit.as_str().into(),
            detail: s.detail.as_str().into(),
        })
        .collect()
}

fn fact(label: &str, value: &str) -> FactItem {
    FactItem { label: label.into(), value: value.into() }
}

/// 时限, 收费, 结果, 救济, and where to go (local facts, or 以窗口公示为准).
pub fn guide_facts(g: &Guide, local: &LocalFacts) -> Vec<FactItem> {
    vec![
        fact("实施主体 / 承办机构", &format!("{}；{}", g.authority, g.handling_unit)),
        fact("法定时限", &g.statutory_time_limit),
        fact("承诺时限", &or_ask(&g.promised_time_limit)),
        fact("收费", &g.fee),
        fact("办理结果", &g.result),
        fact("不服怎么办", &g.remedy),
        fact("办理方式", &or_ask(&g.online)),
        fact("办理地点", &or_ask(&local.address)),
        fact("办理时间", &or_ask(&local.hours)),
        fact("咨询电话", &or_ask(&local.phone)),
    ]
}

/// The counties' names and label positions.
pub fn county_labels(map: &SchematicMap) -> Vec<CountyLabel> {
    map.counties
        .iter()
        .map(|c| CountyLabel {
            adcode: c.adcode.as_str().into(),
            name: c.name.as_str().into(),
            label_x: c.label[0],
            label_y: c.label[1],
            dx: 0.0,
            dy: LABEL_BELOW_PX,
        })
        .collect()
}

/// A county name's centre below its label point, in pixels: clear of a pin standing there.
const LABEL_BELOW_PX: f32 = 45.0;
/// A county name's box height and the width of one character (Metrics.font-small, 26 px; see
/// ui/pages/map.slint), and the radius a pin covers.
const LABEL_HEIGHT_PX: f32 = 40.0;
const LABEL_CHAR_PX: f32 = 26.0;
const PIN_RADIUS_PX: f32 = 40.0;

/// Places each county's name beside its label point where it covers no other name and no pin
/// and stays on the canvas: below, else above, right, left or diagonally, else wherever it
/// covers least. Small neighbouring counties (子洲县, 绥德县, 吴堡县) would otherwise print their
/// names into each other. `px_per_unit` is the canvas' scale for the view shown, `view` the
/// plane region the canvas shows (x, y, w, h).
pub fn place_labels(
    labels: &mut [CountyLabel],
    pins: &[PinItem],
    px_per_unit: f32,
    view: [f32; 4],
) {
    type Rect = [f32; 4]; // x0, y0, x1, y1 in canvas pixels
    let overlap = |a: &Rect, b: &Rect| -> f32 {
        let w = (a[2].min(b[2]) - a[0].max(b[0])).max(0.0);
        let h = (a[3].min(b[3]) - a[1].max(b[1])).max(0.0);
        w * h
    };
    // What a pin covers (ui/pages/map.slint): its mark, a cluster's count badge at its top
    // right, the 您在这里 tag above the kiosk's own.
    let mut marks: Vec<Rect> = Vec::new();
    for p in pins {
        let (x, y) = (p.x * px_per_unit, p.y * px_per_unit);
        marks.push([x - PIN_RADIUS_PX, y - PIN_RADIUS_PX, x + PIN_RADIUS_PX, y + PIN_RADIUS_PX]);
        if p.count > 1 {
            marks.push([x + 8.0, y - 56.0, x + 64.0, y - 16.0]);
        }
        if p.here {
            marks.push([x - 70.0, y - 92.0, x + 70.0, y - 48.0]);
        }
    }
    let pins = marks;
    let s = px_per_unit;
    let canvas = [view[0] * s, view[1] * s, (view[0] + view[2]) * s, (view[1] + view[3]) * s];
    // A name cut by the canvas' edge is as bad as a covered one: its area off the canvas counts.
    let off_canvas = |r: &Rect| (r[2] - r[0]) * (r[3] - r[1]) - overlap(r, &canvas);
    let mut placed: Vec<Rect> = Vec::new();
    for label in labels.iter_mut() {
        let half_w = label.name.chars().count() as f32 * LABEL_CHAR_PX / 2.0 + 4.0;
        let half_h = LABEL_HEIGHT_PX / 2.0;
        let side = PIN_RADIUS_PX + half_w;
        let (ax, ay) = (label.label_x * px_per_unit, label.label_y * px_per_unit);
        // Nearest first: beside the point, then a step further out.
        let (below, diagonal) = (LABEL_BELOW_PX, side * 0.75);
        let mut candidates = Vec::with_capacity(16);
        for reach in [1.0, 1.6] {
            candidates.extend([
                (0.0, below * reach),
                (0.0, -below * reach),
                (side * reach, 0.0),
                (-side * reach, 0.0),
                (diagonal * reach, below * reach),
                (-diagonal * reach, below * reach),
                (diagonal * reach, -below * reach),
                (-diagonal * reach, -below * reach),
            ]);
        }
        let cost = |(dx, dy): (f32, f32)| -> f32 {
            let r = [ax + dx - half_w, ay + dy - half_h, ax + dx + half_w, ay + dy + half_h];
            placed.iter().chain(&pins).map(|o| overlap(&r, o)).sum::<f32>() + off_canvas(&r)
        };
        let best = candidates.iter().copied().find(|c| cost(*c) == 0.0).unwrap_or_else(|| {
            candidates.iter().copied().min_by(|a, b| cost(*a).total_cmp(&cost(*b))).unwrap()
        });
        (label.dx, label.dy) = best;
        let (x, y) = (ax + best.0, ay + best.1);
        placed.push([x - half_w, y - half_h, x + half_w, y + half_h]);
    }
}

/// Every county outline as one path, and its box (x, y, w, h in plane units) with room for the
/// stroke. With `view` (a zoomed viewbox) each outline is cut to a little more than the view,
/// and counties outside it are left out.
pub fn map_outline(map: &SchematicMap, view: Option<[f32; 4]>) -> (String, [f32; 4]) {
    // Room for the outline's stroke, which straddles the boundary.
    const MARGIN: f32 = 3.0;
    let mut path = String::new();
    let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
    for c in &map.counties {
        let (p, b) = match view {
            None => (c.svg_path(), c.bbox),
            Some([x, y, w, h]) => {
                // The cut edges fall outside the canvas, which clips them from view.
                let (mx, my) = (w * 0.05, h * 0.05);
                match c.clipped([x - mx, y - my, x + w + mx, y + h + my]) {
                    Some(cut) => cut,
                    None => continue,
                }
            }
        };
        path.push_str(&p);
        bbox = [bbox[0].min(b[0]), bbox[1].min(b[1]), bbox[2].max(b[2]), bbox[3].max(b[3])];
    }
    if path.is_empty() {
        return (path, [0.0, 0.0, 1.0, 1.0]);
    }
    (
        path,
        [
            bbox[0] - MARGIN,
            bbox[1] - MARGIN,
            bbox[2] - bbox[0] + 2.0 * MARGIN,
            bbox[3] - bbox[1] + 2.0 * MARGIN,
        ],
    )
}

/// Pins in plane units; points closer than `merge` plane units join one pin with a count (the
/// city centre's points would otherwise sit on top of each other). The kiosk's own point wins.
pub fn pins(
    map: &SchematicMap,
    points: &[ServicePoint],
    here: Option<&str>,
    merge: f32,
) -> Vec<PinItem> {
    let mut pins: Vec<PinItem> = Vec::new();
    let mut order: Vec<&ServicePoint> = points.iter().collect();
    order.sort_by_key(|p| Some(p.id.as_str()) != here);
    for p in order {
        let [x, y] = map.project(p.lon, p.lat);
        if let Some(pin) = pins.iter_mut().find(|q| (q.x - x).hypot(q.y - y) < merge) {
            pin.count += 1;
            continue;
        }
        pins.push(PinItem {
            id: p.id.as_str().into(),
            x,
            y,
            style: pin_style(p.kind),
            count: 1,
            here: Some(p.id.as_str()) == here,
        });
    }
    pins
}

/// `metres` from the kiosk; `None` when unknown. The point the kiosk stands at gets no
/// distance to itself: the page says 您就在这里.
pub fn point_row(p: &ServicePoint, metres: Option<f64>, here: bool) -> PointRow {
    PointRow {
        id: p.id.as_str().into(),
        name: p.name.as_str().into(),
        kind: p.kind.label().into(),
        services: crate::text::zh::name_list(&p.services).into(),
        metres: whole_metres(metres, here),
        here,
    }
}

/// The distance the page writes (`Words.distance`), or -1 for none.
pub fn whole_metres(metres: Option<f64>, here: bool) -> i32 {
    match metres {
        Some(m) if !here => m.round().min(i32::MAX as f64) as i32,
        _ => -1,
    }
}

/// A point's card (its distance is `whole_metres`, written by the card).
pub fn point_facts(p: &ServicePoint, here: bool) -> Vec<FactItem> {
    let mut facts = vec![
        fact("类型", p.kind.label()),
        fact("可办业务", &crate::text::zh::name_list(&p.services)),
        fact("地址", &or_ask(&p.address)),
        fact("时间", &or_ask(&p.hours)),
        fact("电话", &or_ask(&p.phone)),
    ];
    if here {
        facts.push(fact("位置", "您就在这里"));
    }
    facts
}

/// Where the point's QR sends a phone: a map marker in the points' datum (GCJ-02 for Amap).
pub fn point_qr_payload(p: &ServicePoint) -> String {
    let name: String =
        p.name
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
    format!(
        "https://uri.amap.com/marker?position={:.6},{:.6}&name={name}&coordinate=gaode",
        p.lon, p.lat
    )
}

/// A pin's colour by the kind of service point: centres and studios, legal aid, notaries and
/// appraisal, the grassroots 司法所 and mediation committees.
fn pin_style(kind: PointKind) -> PinStyle {
    match kind {
        PointKind::Center | PointKind::Station | PointKind::Studio => PinStyle::Centre,
        PointKind::Aid => PinStyle::LegalAid,
        PointKind::Notary | PointKind::Appraisal => PinStyle::Notary,
        PointKind::Sfs | PointKind::Mediation => PinStyle::Grassroots,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(name: &str, x: f32, y: f32) -> CountyLabel {
        CountyLabel {
            adcode: "".into(),
            name: name.into(),
            label_x: x,
            label_y: y,
            dx: 0.0,
            dy: 0.0,
        }
    }

    /// The name's box in canvas pixels, as the page draws it (scale 1).
    fn rect(l: &CountyLabel) -> [f32; 4] {
        let half_w = l.name.chars().count() as f32 * LABEL_CHAR_PX / 2.0;
        let (x, y) = (l.label_x + l.dx, l.label_y + l.dy);
        [x - half_w, y - LABEL_HEIGHT_PX / 2.0, x + half_w, y + LABEL_HEIGHT_PX / 2.0]
    }

    fn overlaps(a: [f32; 4], b: [f32; 4]) -> bool {
        a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
    }

    #[test]
    fn county_names_neither_cover_each_other_nor_a_pin() {
        // Three small counties side by side (子洲县, 绥德县, 吴堡县 on the 榆林 map), a pin on
        // the middle one: below each point, their names would run together.
        let mut labels = [
            label("子洲县", 400.0, 400.0),
            label("绥德县", 470.0, 410.0),
            label("吴堡县", 540.0, 400.0),
        ];
        let pin = PinItem {
            id: "p".into(),
            x: 470.0,
            y: 450.0,
            style: PinStyle::Centre,
            count: 1,
            here: false,
        };
        place_labels(&mut labels, std::slice::from_ref(&pin), 1.0, [0.0, 0.0, 1000.0, 1000.0]);
        // Nobody moved further than the nearest ring of places.
        assert!(labels.iter().all(|l| l.dx.abs() <= 100.0 && l.dy.abs() <= LABEL_BELOW_PX));
        let pin_box = [
            pin.x - PIN_RADIUS_PX,
            pin.y - PIN_RADIUS_PX,
            pin.x + PIN_RADIUS_PX,
            pin.y + PIN_RADIUS_PX,
        ];
        for (i, a) in labels.iter().enumerate() {
            assert!(!overlaps(rect(a), pin_box), "{} covers the pin", a.name);
            for b in &labels[i + 1..] {
                assert!(!overlaps(rect(a), rect(b)), "{} and {} overlap", a.name, b.name);
            }
        }
        // A name at the canvas' edge moves inside it.
        let mut edge = [label("定边县", 10.0, 500.0)];
        place_labels(&mut edge, &[], 1.0, [0.0, 0.0, 1000.0, 1000.0]);
        assert!(rect(&edge[0])[0] >= 0.0, "{:?}", rect(&edge[0]));
    }
}
