//! 办事指南: one TOML file per service item, in the field set of a government service item page
//! (事项名称, 实施主体, 设定依据, 申请条件, 申请材料, 办理流程, 时限, 收费, 结果, 救济途径).
//!
//! Every 设定依据 names a law and, usually, an article; the bundle builder refuses a guide whose
//! reference does not resolve, so a tap on it always opens the reader at real text.

use std::path::Path;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::content::law::LawDoc;
use crate::text::zh;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guide {
    pub id: String,
    /// 事项名称
    pub name: String,
    /// The list groups guides by service (法律援助, 人民调解 …).
    pub group: String,
    /// The queue service letter "取号办理" takes a ticket for.
    #[serde(default)]
    pub queue: Option<String>,
    /// One plain sentence: what this is for.
    pub summary: String,
    /// 实施主体
    pub authority: String,
    /// 承办机构
    pub handling_unit: String,
    /// 设定依据
    pub basis: Vec<LawRef>,
    /// 受理条件
    pub eligibility: Vec<String>,
    /// 申请材料
    pub materials: Vec<Material>,
    /// 办理流程
    pub steps: Vec<Step>,
    pub statutory_time_limit: String,
    /// 承诺时限: local; empty shows 以窗口公示为准.
    #[serde(default)]
    pub promised_time_limit: String,
    pub fee: String,
    pub result: String,
    /// 救济途径
    pub remedy: String,
    /// 是否网办 / 到现场次数
    #[serde(default)]
    pub online: String,
    pub sources: Vec<String>,
}

/// A 设定依据: a law by title or short name, and an article (`第四十三条`); no article means
/// the whole text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawRef {
    pub law: String,
    #[serde(default)]
    pub article: Option<String>,
    #[serde(default)]
    pub note: String,
}

impl LawRef {
    /// The article number (43 for 第四十三条), if the reference names one.
    pub fn article_number(&self) -> Result<Option<u32>> {
        let Some(label) = &self.article else { return Ok(None) };
        let digits = label
            .strip_prefix('第')
            .and_then(|s| s.strip_suffix('条'))
            .with_context(|| format!("{label:?} is not an article label like 第四十三条"))?;
        let n = zh::parse_number(digits).with_context(|| format!("{label:?}: not a number"))?;
        Ok(Some(n))
    }

    /// How a guide prints it: 法律援助法 第四十三条.
    pub fn label(&self, short_name: &str) -> String {
        match &self.article {
            Some(a) => format!("{short_name} {a}"),
            None => short_name.to_owned(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub name: String,
    /// 原件 / 复印件 / 原件和复印件
    pub form: String,
    pub copies: u32,
    pub required: bool,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub title: String,
    pub actor: String,
    #[serde(default)]
    pub time_limit: String,
    #[serde(default)]
    pub detail: String,
}

/// Reads every `*.toml` in `dir`, sorted by file name; ids must be unique and match the file.
pub fn load_dir(dir: &Path) -> Result<Vec<Guide>> {
    let mut guides: Vec<Guide> = Vec::new();
    for f in super::toml_files(dir)? {
        let text =
            std::fs::read_to_string(&f).with_context(|| format!("reading {}", f.display()))?;
        let g: Guide = toml::from_str(&text).with_context(|| format!("parsing {}", f.display()))?;
        check_fields(&g).with_context(|| format!("{}", f.display()))?;
        if f.file_stem().and_then(|s| s.to_str()) != Some(g.id.as_str()) {
            bail!("{}: id {:?} does not match the file name", f.display(), g.id);
        }
        if guides.iter().any(|o| o.id == g.id) {
            bail!("{}: duplicate guide id {:?}", f.display(), g.id);
        }
        guides.push(g);
    }
    if guides.is_empty() {
        bail!("{} holds no guides", dir.display());
    }
    Ok(guides)
}

fn check_fields(g: &Guide) -> Result<()> {
    for (field, value) in
        [("name", &g.name), ("group", &g.group), ("summary", &g.summary), ("fee", &g.fee)]
    {
        if value.trim().is_empty() {
            bail!("{field} is empty");
        }
    }
    if g.basis.is_empty() || g.steps.is_empty() || g.materials.is_empty() {
        bail!("a guide needs 设定依据, 申请材料 and 办理流程");
    }
    for r in &g.basis {
        r.article_number().with_context(|| format!("设定依据 {}", r.law))?;
    }
    Ok(())
}

/// Checks every guide's references against the laws being bundled (see [`super::refs`]).
pub fn dangling_references(guides: &[Guide], laws: &[LawDoc]) -> Vec<String> {
    super::refs::dangling(
        guides.iter().flat_map(|g| g.basis.iter().map(move |r| (format!("guide {}", g.id), r))),
        laws,
    )
}
