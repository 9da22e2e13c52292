//! The hall's own content: 办事指南 (every law reference resolves), service points (distance,
//! sorting, filters), the schematic map, and the legal-aid quick check.

mod support;

use kiosk::content::hall::legal_aid::{self, Answers, Outcome, Question, Reply};
use kiosk::content::hall::points::{distance_m, nearest};
use kiosk::content::hall::{guides, HallContent};
use kiosk::content::{source::ContentSource, Store};

#[test]
fn every_guide_parses_and_every_reference_opens_an_article() {
    let store = Store::open(support::demo_store()).unwrap();
    let hall = store.hall().unwrap();
    let ids: Vec<&str> = hall.guides.iter().map(|g| g.id.as_str()).collect();
    for required in [
        "legal-aid",
        "mediation",
        "legal-consultation",
        "notarization",
        "forensic-appraisal",
        "lawyer-services",
        "legal-aid-objection",
        "judicial-confirmation",
    ] {
        assert!(ids.contains(&required), "guide {required} missing: {ids:?}");
    }
    let mut resolved = 0;
    for g in &hall.guides {
        assert!(!g.materials.is_empty() && !g.steps.is_empty(), "{}", g.id);
        assert!(
            g.queue.as_deref().is_some_and(|l| hall.queue.service(l).is_some()),
            "{}: 取号办理 needs a queue service",
            g.id
        );
        for r in &g.basis {
            let law = store
                .law_by_name(&r.law)
                .unwrap()
                .unwrap_or_else(|| panic!("{}: no law {}", g.id, r.law));
            if let Some(n) = r.article_number().unwrap() {
                let seq = store.article_seq(law.doc, n as i64).unwrap();
                assert!(seq.is_some(), "{}: {} has no {:?}", g.id, r.law, r.article);
                resolved += 1;
            }
        }
    }
    assert!(resolved >= 40, "only {resolved} article references");
    // The text quoted in a guide matches the statute it cites: 七日 in 法律援助法 第四十三条.
    let aid = store.law_by_name("中华人民共和国法律援助法").unwrap().unwrap();
    let blocks = store.blocks(aid.doc).unwrap();
    let seq = store.article_seq(aid.doc, 43).unwrap().unwrap();
    let text = &blocks.iter().find(|b| b.seq == seq).unwrap().text;
    assert!(text.contains("七日内") && text.contains("三日内"), "{text}");
    assert!(hall.guide("legal-aid").unwrap().steps.iter().any(|s| s.time_limit.contains("7日")));
}

#[test]
fn a_dangling_reference_fails_the_build() {
    let src = ContentSource::load(&support::repo().join("content"), None).unwrap();
    let mut bad = src.hall.guides.clone();
    bad[0].basis.push(guides::LawRef {
        law: "中华人民共和国法律援助法".into(),
        article: Some("第九十九条".into()),
        note: String::new(),
    });
    bad[1].basis.push(guides::LawRef {
        law: "不存在的法".into(),
        article: None,
        note: String::new(),
    });
    let problems = guides::dangling_references(&bad, &src.laws);
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("第九十九条") && problems[1].contains("不存在的法"),
        "{problems:?}"
    );
    assert!(guides::dangling_references(&src.hall.guides, &src.laws).is_empty());

    // And through the loader: a copy of content/ with one bad article refuses to load.
    let tmp = tempfile::tempdir().unwrap();
    support::copy_dir(&support::repo().join("content"), tmp.path());
    let g = tmp.path().join("guides/mediation.toml");
    let text = std::fs::read_to_string(&g)
        .unwrap()
        .replace("article = \"第三十三条\"", "article = \"第三百三十三条\"");
    std::fs::write(&g, text).unwrap();
    let err = ContentSource::load(tmp.path(), None).err().expect("dangling reference refused");
    assert!(format!("{err:#}").contains("第三百三十三条"), "{err:#}");
}

fn hall() -> HallContent {
    HallContent::load(&support::repo().join("content")).unwrap()
}

#[test]
fn distances_sorting_and_service_filters() {
    // 榆林 → 西安 is about 444 km great-circle (city centres, independent of our data).
    let d = distance_m((109.7341, 38.2852), (108.9398, 34.3416));
    assert!((d - 443_000.0).abs() < 15_000.0, "{d}");
    assert!((distance_m((110.0, 38.0), (110.0, 38.01)) - 1112.0).abs() < 5.0);

    let h = hall();
    let here = h.points.points.iter().find(|p| p.id == "yl-center").unwrap();
    let all = nearest(&h.points.points, (here.lon, here.lat), None);
    assert_eq!(all.len(), h.points.points.len());
    assert_eq!(all[0].0.id, "yl-center");
    assert!(all.windows(2).all(|w| w[0].1 <= w[1].1), "sorted by distance");
    let aid = nearest(&h.points.points, (here.lon, here.lat), Some("法律援助"));
    assert!(!aid.is_empty() && aid.len() < all.len());
    assert!(aid.iter().all(|(p, _)| p.services.iter().any(|s| s == "法律援助")));
    let appraisal = nearest(&h.points.points, (here.lon, here.lat), Some("司法鉴定"));
    assert!(appraisal.iter().all(|(p, _)| p.services.contains(&"司法鉴定".to_string())));
    assert!(nearest(&h.points.points, (here.lon, here.lat), Some("不存在的服务")).is_empty());
    assert!(h.points.sample, "demo points are marked sample data");
}

#[test]
fn the_schematic_map_keeps_every_county_where_it_is() {
    let h = hall();
    let map = &h.map;
    assert_eq!(map.counties.len(), 12);
    assert!(map.caption.contains("示意图"));
    // Simplification keeps the shape but drops most of the 53k source points.
    assert!(map.point_count() < 12_000 && map.point_count() > 1_000, "{}", map.point_count());
    // Every service point lies inside the county it claims (on the simplified outlines).
    for p in &h.points.points {
        let [x, y] = map.project(p.lon, p.lat);
        let county =
            map.county_at(x, y).unwrap_or_else(|| panic!("{} falls outside every county", p.id));
        assert_eq!(county.adcode, p.county, "{}", p.id);
    }
    // A point far outside the region is in no county; 神木市 is north-east of 定边县.
    assert!(map.county_at(-10.0, -10.0).is_none());
    let sm = map.county("610881").unwrap();
    let db = map.county("610825").unwrap();
    assert!(sm.label[0] > db.label[0] && sm.label[1] < db.label[1]);
    assert!(sm.svg_path().starts_with('M') && sm.svg_path().trim_end().ends_with('Z'));
}

#[test]
fn legal_aid_quick_check_follows_the_statute() {
    use Reply::{No, NotSure, Yes};
    // Wages (第三十一条(五)) + income below the line → likely.
    let mut a = Answers { matter: Some(0), ..Default::default() };
    assert_eq!(legal_aid::next_question(&a), Some(Question::NoMeansTest));
    a.no_means_test = Some(No);
    assert_eq!(legal_aid::next_question(&a), Some(Question::ExemptGroup));
    a.exempt_group = Some(No);
    assert_eq!(legal_aid::next_question(&a), Some(Question::Income));
    a.income_below_line = Some(Yes);
    assert_eq!(legal_aid::next_question(&a), None);
    let v = legal_aid::verdict(&a);
    assert_eq!(v.outcome, Outcome::Likely);
    let articles: Vec<u32> = v.basis.iter().map(|b| b.number).collect();
    assert_eq!(articles, [31, 32, 42]);
    assert_eq!(v.basis[0].label().to_string(), "第三十一条\n可申请的事项");
    // Above the line: unlikely, and the resident is pointed to free consultation.
    a.income_below_line = Some(No);
    let v = legal_aid::verdict(&a);
    assert_eq!(v.outcome, Outcome::Unlikely);
    assert!(v.next_steps.iter().any(|s| s.to_string().contains("法律咨询")));
    // 不清楚 about the income: the window checks it against the province's line.
    a.income_below_line = Some(NotSure);
    let v = legal_aid::verdict(&a);
    assert_eq!(v.outcome, Outcome::AskWindow);
    assert!(v.reasons.iter().any(|r| r.to_string().contains("第三十四条")), "{:?}", v.reasons);
    // Above the line but 不清楚 about an exemption that would set income aside: not 不符合,
    // the window decides, and the reason says what is open.
    let e = Answers {
        matter: Some(0),
        no_means_test: Some(No),
        exempt_group: Some(NotSure),
        income_below_line: Some(No),
        ..Default::default()
    };
    let v = legal_aid::verdict(&e);
    assert_eq!(v.outcome, Outcome::AskWindow);
    assert!(v.reasons.iter().any(|r| r.to_string().contains("不确定")), "{:?}", v.reasons);
    // 家暴 victim (第三十二条): no income question at all, and the reason names the cases.
    let b = Answers {
        matter: Some(legal_aid::OTHER_MATTER),
        no_means_test: Some(Yes),
        ..Default::default()
    };
    assert_eq!(legal_aid::next_question(&b), None);
    let v = legal_aid::verdict(&b);
    assert_eq!(v.outcome, Outcome::Likely);
    let reasons: Vec<String> = v.reasons.iter().map(|r| r.to_string()).collect();
    assert!(reasons.iter().any(|r| r.contains("家庭暴力") && r.contains("第三十二条")));
    // 不清楚 asks on, as 不是 does; a 第四十二条 group then skips the means check, and the
    // reason says who the group is rather than citing the article alone.
    let c = Answers {
        matter: Some(2),
        no_means_test: Some(NotSure),
        exempt_group: Some(Yes),
        ..Default::default()
    };
    assert_eq!(legal_aid::next_question(&c), None);
    let v = legal_aid::verdict(&c);
    assert_eq!(v.outcome, Outcome::Likely);
    let reasons: Vec<String> = v.reasons.iter().map(|r| r.to_string()).collect();
    let exempt = reasons.iter().find(|r| r.contains("第四十二条")).expect("a 第四十二条 reason");
    assert!(exempt.contains("进城务工人员") && exempt.contains("优抚对象"), "{exempt}");
    // An unlisted matter with low income: the window decides.
    let d = Answers {
        matter: Some(legal_aid::OTHER_MATTER),
        no_means_test: Some(No),
        exempt_group: Some(No),
        income_below_line: Some(Yes),
        ..Default::default()
    };
    assert_eq!(legal_aid::verdict(&d).outcome, Outcome::AskWindow);
    // Without a published line the question says where the line is.
    assert!(Question::Income.prompt(None).question.to_string().contains("以窗口公示为准"));
    assert!(Question::Income.prompt(Some(1200)).question.to_string().contains("1200"));
}

#[test]
fn legal_aid_check_covers_criminal_defence_and_victims() {
    // 第二十四条: the accused or a relative may apply whatever their income; one question only,
    // whether 第二十五条 makes the court, procuratorate or police find the lawyer.
    let mut a = Answers { matter: Some(legal_aid::CRIMINAL_DEFENCE), ..Default::default() };
    assert!(legal_aid::MATTERS[legal_aid::CRIMINAL_DEFENCE].contains("没有请律师"));
    assert_eq!(legal_aid::next_question(&a), Some(Question::MandatoryDefence));
    let prompt = Question::MandatoryDefence.prompt(None);
    assert!(prompt.cases.iter().any(|c| c.contains("无期徒刑")), "{prompt:?}");
    a.mandatory_defence = Some(Reply::No);
    assert_eq!(legal_aid::next_question(&a), None);
    let v = legal_aid::verdict(&a);
    assert_eq!(v.outcome, Outcome::Likely);
    assert!(v.reasons.iter().any(|r| r.to_string().contains("第二十四条")));
    assert!(!v.reasons.iter().any(|r| r.to_string().contains("第二十五条")));
    assert_eq!(v.basis.iter().map(|b| b.number).collect::<Vec<_>>(), [24, 25]);
    a.mandatory_defence = Some(Reply::Yes);
    let v = legal_aid::verdict(&a);
    assert_eq!(v.headline.to_string(), "办案机关应当通知指派律师");
    assert!(v.reasons.iter().any(|r| r.to_string().contains("第二十五条")));
    // Unsure: both rules are explained.
    a.mandatory_defence = Some(Reply::NotSure);
    let v = legal_aid::verdict(&a);
    assert!(v.reasons.iter().any(|r| r.to_string().contains("第二十五条")));
    assert!(v.reasons.iter().any(|r| r.to_string().contains("第二十四条")));
    // 第二十九条: a victim's representation depends on means, like a civil matter.
    let mut b = Answers { matter: Some(legal_aid::CRIME_VICTIM), ..Default::default() };
    assert_eq!(legal_aid::next_question(&b), Some(Question::NoMeansTest));
    b.no_means_test = Some(Reply::No);
    b.exempt_group = Some(Reply::No);
    b.income_below_line = Some(Reply::Yes);
    let v = legal_aid::verdict(&b);
    assert_eq!(v.outcome, Outcome::Likely);
    assert!(v.reasons[0].to_string().contains("第二十九条"), "{:?}", v.reasons);
    assert_eq!(v.basis[0].number, 29);
}
