//! The offline map: county boundaries from GeoJSON, projected once by the bundle builder into a
//! small schematic (a 1000-unit-wide plane, simplified outlines), so the kiosk draws paths and
//! never touches geodesy at run time.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// Width of the schematic's plane; the height follows the region's aspect.
pub const PLANE_WIDTH: f32 = 1000.0;
/// Outline simplification tolerance in plane units (about half a pixel at city zoom on a
/// 1080-wide panel; county zoom magnifies it ~4×, still below a stroke's width).
const SIMPLIFY_TOLERANCE: f32 = 0.5;

/// `hall.toml [map]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapSource {
    /// GeoJSON file of county-level polygons, relative to `content/`.
    pub geojson: String,
    /// Datum of the coordinates (GCJ-02 for Chinese web-map data).
    pub datum: String,
    /// The caption every map shows: 审图号 if reviewed, else 示意图 (地图管理条例 第十五条、第二十二条).
    pub caption: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SchematicMap {
    pub caption: String,
    pub datum: String,
    pub width: f32,
    pub height: f32,
    /// Projection: x = (lon - west) * kx, y = (north - lat) * ky.
    pub west: f64,
    pub north: f64,
    pub kx: f64,
    pub ky: f64,
    pub counties: Vec<County>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct County {
    /// GB/T 2260 code.
    pub adcode: String,
    /// Today's name (神木县 became 神木市 in 2017).
    pub name: String,
    /// Where the name goes, in plane units.
    pub label: [f32; 2],
    /// Outer and inner rings in plane units (even-odd fill).
    pub rings: Vec<Vec<[f32; 2]>>,
    /// min x, min y, max x, max y.
    pub bbox: [f32; 4],
}

impl SchematicMap {
    pub fn from_geojson_file(path: &Path, source: &MapSource) -> Result<SchematicMap> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        Self::from_geojson(&text, source).with_context(|| format!("{}", path.display()))
    }

    pub fn from_geojson(text: &str, source: &MapSource) -> Result<SchematicMap> {
        let doc: serde_json::Value = serde_json::from_str(text).context("malformed GeoJSON")?;
        let features =
            doc.get("features").and_then(|f| f.as_array()).context("GeoJSON without features")?;
        let mut raw = Vec::new();
        for f in features {
            let props = f.get("properties").context("feature without properties")?;
            let text_prop = |k: &str| props.get(k).and_then(|v| v.as_str()).map(str::to_owned);
            let adcode = text_prop("adcode").context("feature without adcode")?;
            let name = text_prop("name_current")
                .or_else(|| text_prop("name"))
                .context("feature without name")?;
            let geometry = f.get("geometry").context("feature without geometry")?;
            let polygons: Vec<serde_json::Value> =
                match geometry.get("type").and_then(|t| t.as_str()) {
                    Some("Polygon") => vec![geometry["coordinates"].clone()],
                    Some("MultiPolygon") => {
                        geometry["coordinates"].as_array().cloned().unwrap_or_default()
                    }
                    other => bail!("{name}: unsupported geometry {other:?}"),
                };
            let mut rings = Vec::new();
            for poly in &polygons {
                for ring in poly.as_array().context("bad polygon")? {
                    let pts: Vec<(f64, f64)> = ring
                        .as_array()
                        .context("bad ring")?
                        .iter()
                        .map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                        .collect::<Option<_>>()
                        .with_context(|| format!("{name}: bad coordinate"))?;
                    if pts.len() >= 3 {
                        rings.push(pts);
                    }
                }
            }
            let cp = props.get("cp").and_then(|c| Some((c.get(0)?.as_f64()?, c.get(1)?.as_f64()?)));
            raw.push((adcode, name, rings, cp));
        }
        if raw.is_empty() {
            bail!("GeoJSON holds no counties");
        }
        let all = raw.iter().flat_map(|r| r.2.iter().flatten());
        let (mut west, mut east, mut south, mut north) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(lon, lat) in all {
            west = west.min(lon);
            east = east.max(lon);
            south = south.min(lat);
            north = north.max(lat);
        }
        // Equirectangular with the mid-latitude's scale: true shapes at city size.
        let cos_mid = ((south + north) / 2.0).to_radians().cos();
        let kx = PLANE_WIDTH as f64 / (east - west);
        let ky = kx / cos_mid;
        let height = ((north - south) * ky) as f32;
        let mut map = SchematicMap {
            caption: source.caption.clone(),
            datum: source.datum.clone(),
            width: PLANE_WIDTH,
            height,
            west,
            north,
            kx,
            ky,
            counties: Vec::new(),
        };
        for (adcode, name, rings, cp) in raw {
            let rings: Vec<Vec<[f32; 2]>> = rings
                .iter()
                .map(|r| {
                    simplify(
                        &r.iter().map(|&(lon, lat)| map.project(lon, lat)).collect::<Vec<_>>(),
                        SIMPLIFY_TOLERANCE,
                    )
                })
                .filter(|r| r.len() >= 4)
                .collect();
            let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
            for p in rings.iter().flatten() {
                bbox = [bbox[0].min(p[0]), bbox[1].min(p[1]), bbox[2].max(p[0]), bbox[3].max(p[1])];
            }
            let label = cp
                .map(|(lon, lat)| map.project(lon, lat))
                .unwrap_or([(bbox[0] + bbox[2]) / 2.0, (bbox[1] + bbox[3]) / 2.0]);
            map.counties.push(County { adcode, name, label, rings, bbox });
        }
        Ok(map)
    }

    /// Lon/lat (in the map's datum) to plane units.
    pub fn project(&self, lon: f64, lat: f64) -> [f32; 2] {
        [((lon - self.west) * self.kx) as f32, ((self.north - lat) * self.ky) as f32]
    }

    /// The county under a plane point.
    pub fn county_at(&self, x: f32, y: f32) -> Option<&County> {
        self.counties.iter().find(|c| {
            x >= c.bbox[0]
                && x <= c.bbox[2]
                && y >= c.bbox[1]
                && y <= c.bbox[3]
                && c.rings.iter().filter(|r| ring_contains(r, x, y)).count() % 2 == 1
        })
    }

    pub fn county(&self, adcode: &str) -> Option<&County> {
        self.counties.iter().find(|c| c.adcode == adcode)
    }

    pub fn point_count(&self) -> usize {
        self.counties.iter().flat_map(|c| &c.rings).map(Vec::len).sum()
    }
}

impl County {
    /// SVG path commands for Slint's `Path { commands: … }`, one subpath per ring.
    pub fn svg_path(&self) -> String {
        rings_svg_path(&self.rings)
    }

    /// The outline cut to `rect` (min x, min y, max x, max y) and its box, or `None` when the
    /// county lies outside. A zoomed map cuts its neighbours this way: the software renderer
    /// rasterizes a path at its full size however little of it shows.
    pub fn clipped(&self, rect: [f32; 4]) -> Option<(String, [f32; 4])> {
        if self.bbox[2] < rect[0]
            || self.bbox[0] > rect[2]
            || self.bbox[3] < rect[1]
            || self.bbox[1] > rect[3]
        {
            return None;
        }
        let rings: Vec<Vec<[f32; 2]>> =
            self.rings.iter().map(|r| clip_ring(r, rect)).filter(|r| r.len() >= 3).collect();
        let mut bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for p in rings.iter().flatten() {
            bbox = [bbox[0].min(p[0]), bbox[1].min(p[1]), bbox[2].max(p[0]), bbox[3].max(p[1])];
        }
        (!rings.is_empty()).then(|| (rings_svg_path(&rings), bbox))
    }
}

fn rings_svg_path(rings: &[Vec<[f32; 2]>]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(rings.iter().map(|r| r.len() * 12).sum());
    for ring in rings {
        for (i, p) in ring.iter().enumerate() {
            let _ = write!(s, "{}{:.1} {:.1} ", if i == 0 { "M" } else { "L" }, p[0], p[1]);
        }
        s.push_str("Z ");
    }
    s
}

/// Sutherland–Hodgman: a closed ring cut to an axis-aligned rectangle. Where the ring leaves
/// the rectangle the result runs along its edge, so callers cut to a rectangle a little larger
/// than what they show.
fn clip_ring(ring: &[[f32; 2]], rect: [f32; 4]) -> Vec<[f32; 2]> {
    // (axis, bound, keep the side below the bound)
    let edges = [(0, rect[0], false), (0, rect[2], true), (1, rect[1], false), (1, rect[3], true)];
    let mut out = ring.to_vec();
    for (axis, bound, below) in edges {
        let inside = |p: &[f32; 2]| if below { p[axis] <= bound } else { p[axis] >= bound };
        let input = std::mem::take(&mut out);
        let Some(&last) = input.last() else { break };
        let mut prev = last;
        for &p in &input {
            let cross = |a: [f32; 2], b: [f32; 2]| {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                let mut q = [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
                q[axis] = bound;
                q
            };
            match (inside(&prev), inside(&p)) {
                (true, true) => out.push(p),
                (true, false) => out.push(cross(prev, p)),
                (false, true) => {
                    out.push(cross(prev, p));
                    out.push(p);
                }
                (false, false) => {}
            }
            prev = p;
        }
    }
    out
}

fn ring_contains(ring: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut inside = false;
    let mut j = ring.len() - 1;
    for i in 0..ring.len() {
        let (a, b) = (ring[i], ring[j]);
        if (a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Douglas–Peucker on a closed ring (first point kept, the ring stays closed).
fn simplify(points: &[[f32; 2]], tolerance: f32) -> Vec<[f32; 2]> {
    if points.len() < 4 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    let last = points.len() - 1;
    keep[last] = true;
    // A closed ring has first == last: split at the farthest point so both halves are open.
    let far = (1..last)
        .max_by(|&a, &b| dist2(points[a], points[0]).total_cmp(&dist2(points[b], points[0])))
        .unwrap_or(last / 2);
    keep[far] = true;
    let mut stack = vec![(0, far), (far, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (mut worst, mut worst_d) = (a, 0.0f32);
        for i in a + 1..b {
            let d = segment_distance(points[i], points[a], points[b]);
            if d > worst_d {
                worst = i;
                worst_d = d;
            }
        }
        if worst_d > tolerance {
            keep[worst] = true;
            stack.push((a, worst));
            stack.push((worst, b));
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

fn dist2(a: [f32; 2], b: [f32; 2]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let len2 = dist2(a, b);
    if len2 == 0.0 {
        return dist2(p, a).sqrt();
    }
    let t =
        (((p[0] - a[0]) * (b[0] - a[0]) + (p[1] - a[1]) * (b[1] - a[1])) / len2).clamp(0.0, 1.0);
    dist2(p, [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_the_part_inside() {
        // A 10×10 square cut to its right half: area 50, box x 5..10.
        let square = vec![[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let c = County {
            adcode: "1".into(),
            name: "x".into(),
            label: [5.0, 5.0],
            rings: vec![square.clone()],
            bbox: [0.0, 0.0, 10.0, 10.0],
        };
        let (path, bbox) = c.clipped([5.0, -1.0, 20.0, 20.0]).unwrap();
        assert_eq!(bbox, [5.0, 0.0, 10.0, 10.0]);
        assert!(path.starts_with('M') && path.trim_end().ends_with('Z'));
        let cut = clip_ring(&square, [5.0, -1.0, 20.0, 20.0]);
        let twice_area: f32 = (0..cut.len())
            .map(|i| {
                let (a, b) = (cut[i], cut[(i + 1) % cut.len()]);
                a[0] * b[1] - b[0] * a[1]
            })
            .sum();
        assert!((twice_area.abs() / 2.0 - 50.0).abs() < 1e-3, "area {}", twice_area.abs() / 2.0);
        assert!(c.clipped([20.0, 20.0, 30.0, 30.0]).is_none());
    }
}
