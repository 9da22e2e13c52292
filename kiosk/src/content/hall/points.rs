//! Service points (公共法律服务中心 / 工作站 / 工作室, 法律援助中心, 司法所, 公证处 …): where a
//! resident can go, what each offers, and how far it is from this kiosk.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointKind {
    /// 公共法律服务中心 (county and city level)
    Center,
    /// 公共法律服务工作站 (township / street)
    Station,
    /// 公共法律服务工作室 (village / community)
    Studio,
    /// 法律援助中心
    Aid,
    /// 司法所
    Sfs,
    /// 公证处
    Notary,
    /// 人民调解委员会
    Mediation,
    /// 司法鉴定机构
    Appraisal,
}

impl PointKind {
    pub fn label(self) -> &'static str {
        match self {
            PointKind::Center => "公共法律服务中心",
            PointKind::Station => "公共法律服务工作站",
            PointKind::Studio => "公共法律服务工作室",
            PointKind::Aid => "法律援助中心",
            PointKind::Sfs => "司法所",
            PointKind::Notary => "公证处",
            PointKind::Mediation => "人民调解委员会",
            PointKind::Appraisal => "司法鉴定机构",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServicePoint {
    pub id: String,
    pub name: String,
    pub kind: PointKind,
    /// County-level code (GB/T 2260), e.g. 610802 榆阳区.
    pub county: String,
    /// Longitude and latitude in the set's datum.
    pub lon: f64,
    pub lat: f64,
    /// Services offered, as residents name them (法律援助, 人民调解, 法律咨询, 公证 …).
    pub services: Vec<String>,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub phone: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PointSet {
    /// True for invented demo points: every screen that shows them says 示例数据.
    #[serde(default)]
    pub sample: bool,
    /// Coordinate datum (GCJ-02 on Chinese maps; WGS-84 from a GPS).
    pub datum: String,
    pub points: Vec<ServicePoint>,
}

pub fn load(path: &Path) -> Result<PointSet> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let set: PointSet =
        toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    for p in &set.points {
        if !(-180.0..=180.0).contains(&p.lon) || !(-90.0..=90.0).contains(&p.lat) {
            bail!("{}: service point {}: coordinates out of range", path.display(), p.id);
        }
        if p.county.len() != 6 || !p.county.bytes().all(|b| b.is_ascii_digit()) {
            bail!(
                "{}: service point {}: county {:?} is not a GB/T 2260 code",
                path.display(),
                p.id,
                p.county
            );
        }
        if set.points.iter().filter(|o| o.id == p.id).count() > 1 {
            bail!("{}: duplicate service point id {}", path.display(), p.id);
        }
    }
    Ok(set)
}

/// Great-circle distance in metres (haversine; within a city the datum offset cancels out).
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_M: f64 = 6_371_008.8;
    let (lon1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lon2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().asin()
}

/// The points offering `service` (all when `None`), nearest first; ties by name, so the order
/// is stable from one screen to the next.
pub fn nearest<'a>(
    points: &'a [ServicePoint],
    here: (f64, f64),
    service: Option<&str>,
) -> Vec<(&'a ServicePoint, f64)> {
    let mut out: Vec<_> = points
        .iter()
        .filter(|p| service.is_none_or(|s| p.services.iter().any(|x| x == s)))
        .map(|p| (p, distance_m(here, (p.lon, p.lat))))
        .collect();
    out.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.name.cmp(&b.0.name)));
    out
}

/// The services any point offers, in first-seen order (the list's filter chips).
pub fn services(points: &[ServicePoint]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in points.iter().flat_map(|p| &p.services) {
        if !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}
