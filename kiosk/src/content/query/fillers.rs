//! Words a resident's question wraps around what it is about: 怎么办, 可以…吗, 请问, 我.
//!
//! They are dropped before the search, and shown back as "not searched" so the resident sees
//! what was understood. The list holds function words and question words only; anything that
//! could name a legal matter (钱, 房, 车, 打) stays a search term.

#[rustfmt::skip]
const FILLERS: &[&str] = &[
    "怎么办", "怎么", "怎样", "怎么样", "如何", "什么", "为什么", "为啥", "啥", "咋办", "咋", "是否", "是不是", "能不能", "能否",
    "可不可以", "会不会", "要不要", "有没有", "多少", "是多少", "多久", "几天", "哪里", "哪儿", "哪些", "哪个", "谁", "吗", "呢",
    "吧", "啊", "呀", "嘛", "么", "请问", "请", "麻烦", "想问", "问", "问一下", "一下", "咨询", "我", "我们", "我家", "俺",
    "你", "你们", "您", "他", "她", "他们", "她们", "它", "自己", "人家", "别人", "可以", "能", "能够", "会", "要", "想",
    "需要", "应该", "应当", "该", "得", "必须", "的", "地", "了", "着", "过", "是", "在", "有", "没", "没有", "不",
    "不能", "不会", "不给", "不让", "不肯", "被", "把", "给", "让", "对", "和", "与", "跟", "及", "或", "或者", "还是",
    "就", "都", "也", "又", "还", "才", "再", "很", "太", "非常", "已经", "一直", "一个", "这个", "那个", "这", "那",
    "这样", "那样", "这种", "个", "些", "随便", "随意", "到底", "究竟", "现在", "如果", "要是", "因为", "所以", "但是", "可是",
    "然后", "办", "做", "搞", "弄", "算", "情况", "问题", "事情", "事", "只有", "主要", "不用", "出去", "回来", "继续",
    "才能", "合法", "不管", "不断", "一起", "真的", "可能", "结果", "还能", "有用", "管用", "属于",
    // When and how often, as a question tells its story (当时没说啥时候还).
    "时候", "当时", "啥时候", "什么时候", "到时候", "那时", "那时候", "之前", "以后", "后来", "老是", "总是",
    "一定", "非要", "直接", "其实", "比如", "行不行", "对不对", "好不好",
    // The other side of a dispute is who the question is against, not what it is about; a
    // friend or a relative is who it happened with, and no statute names them (朋友借钱不还).
    "对方", "朋友", "亲戚", "熟人", "同事",
    // When it happened and how the resident feels about it: the story, not the matter.
    "天天", "每天", "马上", "立刻", "突然", "今天", "明天", "昨天", "觉得", "感觉", "有人", "该不该",
    "好好", "怎么弄", "怎么搞", "家里",
    // Words that carry a story along and name nothing an article is found by (就是, 还有,
    // 肯定, 那边), and its when, said loosely (去年, 这回, 月底; a period stays: 三年).
    "就是", "还有", "不要", "算不算", "不能不", "那边", "这边", "回去", "过来", "过去", "肯定",
    "说好", "看清", "给出", "帮忙", "今年", "去年", "前年", "这回", "这次", "那次",
    "每个", "上个月", "下个月", "月底", "年底",
    // A telephone call, not a blow: 打 alone is read as 殴打 (打不通, 打过来, 打电话推销).
    "打不通", "打过来", "打过去", "打电话", "打来电话", "打个电话",
];

/// Digits and numerals an amount or a count starts with (三个, 五万块, 一分钱, 好几万).
const NUMERALS: &str = "0123456789零〇一二两三四五六七八九十百千万几";
/// What may follow them in an amount: measure words and money (一辆 car, 一户 household). Not
/// 年/月/天 (a period can be the matter: 三年), not 倍 (十倍 is the statute's word), not 审/包/方
/// (一审, 三包, 一方).
const MEASURES: &str = "个岁块元分钱万千百十多来次件套间亩斤米周号辆张台户头只";

/// Whether `word` is an amount or a count (三个, 一岁, 五万块, 一分钱, 好几万): how much it
/// was matters to the resident, but no article is found by it.
pub fn is_amount(word: &str) -> bool {
    let rest = word.strip_prefix("好几").unwrap_or(word);
    let mut chars = rest.chars();
    let starts = rest.len() < word.len() || chars.next().is_some_and(|c| NUMERALS.contains(c));
    starts
        && !rest.is_empty()
        && word.chars().count() >= 2
        && chars.all(|c| NUMERALS.contains(c) || MEASURES.contains(c))
}

/// Whether `word` only carries the question, not its subject.
pub fn is_filler(word: &str) -> bool {
    FILLERS.contains(&word)
}

#[cfg(test)]
mod tests {
    #[test]
    fn subject_words_are_not_fillers() {
        for w in ["工资", "离婚", "钱", "房", "狗", "打", "辞退"] {
            assert!(!super::is_filler(w), "{w}");
        }
        assert!(super::is_filler("怎么办") && super::is_filler("吗"));
    }

    #[test]
    fn amounts_are_told_from_statute_numbers() {
        for w in ["三个", "一岁", "五万块", "一分钱", "好几万", "200元", "两次", "一辆", "一户"]
        {
            assert!(super::is_amount(w), "{w}");
        }
        for w in ["十倍", "三年", "一审", "三包", "一方", "好几年", "工资", "一", "好几"]
        {
            assert!(!super::is_amount(w), "{w}");
        }
    }
}
