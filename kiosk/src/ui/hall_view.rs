//! Turns hall content (guides, service points, map, queue) into the rows the Slint pages show.
//! Pure functions: the controller decides when, these decide what.

use slint::{Image, Rgb8Pixel, SharedPixelBuffer};

use super::{
    BasisItem, CountyLabel, FactItem, GuideRow, GuideRowKind, MaterialItem, PinItem, PinStyle,
    PointRow, StepItem,
};
use crate::content::hall::guides::Guide;
use crate::content::hall::map::SchematicMap;
use crate::content::hall::points::{distance_label, PointKind, ServicePoint};
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
        .map(|(i, m)| {
            let mut detail = format!("{} {} 份", m.form, m.copies);
            if !m.note.is_empty() {
                detail.push('；');
                detail.push_str(&m.note);
            }
            MaterialItem {
                name: m.name.as_str().into(),
                detail: detail.into(),
                required: m.required,
                checked: checked.get(i).copied().unwrap_or(false),
            }
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
        })
        .collect()
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

pub fn point_row(p: &ServicePoint, metres: Option<f64>) -> PointRow {
    PointRow {
        id: p.id.as_str().into(),
        name: p.name.as_str().into(),
        kind: p.kind.label().into(),
        services: p.services.join("、").into(),
        distance: metres.map(distance_label).unwrap_or_default().into(),
    }
}

pub fn point_facts(p: &ServicePoint, metres: Option<f64>) -> Vec<FactItem> {
    let mut facts = vec![
        fact("类型", p.kind.label()),
        fact("可办业务", &p.services.join("、")),
        fact("地址", &or_ask(&p.address)),
        fact("时间", &or_ask(&p.hours)),
        fact("电话", &or_ask(&p.phone)),
    ];
    if let Some(m) = metres {
        facts.push(fact("距离", &format!("距本机{}（直线）", distance_label(m))));
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
