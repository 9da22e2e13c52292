//! Ranking groups: the order search shows laws in, encoded in the article rowids so that a
//! range scan returns them group by group. The store writes rowids with it, search reads ranges.

use super::law::Status;

/// Ranking groups, in the order results are shown; each owns a range of article rowids.
pub const GROUP_COUNT: i64 = 6;
pub(crate) const GROUP_SHIFT: u32 = 40;
pub(super) const DOC_SHIFT: u32 = 16;

/// The priority group of a law. In force before amended before repealed; among texts in force,
/// the hall's core laws first, and statutes (法律, 宪法) before the regulations and judicial
/// interpretations that implement them: a resident asking about unpaid wages should meet
/// 劳动合同法 before a 条例 that repeats the words more often.
pub fn group_of(status: Status, core: bool, level: &str) -> i64 {
    let statute = matches!(level, "法律" | "宪法");
    match (status, core, statute) {
        (Status::InForce, true, true) => 0,
        (Status::InForce, true, false) => 1,
        (Status::InForce, false, true) => 2,
        (Status::InForce, false, false) => 3,
        (Status::Amended, _, _) => 4,
        (Status::Repealed, _, _) => 5,
    }
}

/// The law (doc) an article rowid belongs to: the bits between the group and the block.
pub fn doc_of(rowid: i64) -> i64 {
    (rowid >> DOC_SHIFT) & ((1 << (GROUP_SHIFT - DOC_SHIFT)) - 1)
}

/// Rowid range `[lo, hi)` of a ranking group.
pub fn group_range(group: i64) -> (i64, i64) {
    (group << GROUP_SHIFT, (group + 1) << GROUP_SHIFT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_of_reads_the_law_back_from_a_rowid() {
        let rowid = (group_range(3).0) | (1234 << DOC_SHIFT) | 7;
        assert_eq!(doc_of(rowid), 1234);
        assert_eq!(doc_of(group_range(0).0 | (1 << DOC_SHIFT)), 1);
    }
}
