//! AWS regions: the known list and a shape check.

/// Known regions with their partitions.
pub const REGIONS: &[(&str, &str)] = &[
    ("af-south-1", "aws"),
    ("ap-east-1", "aws"),
    ("ap-east-2", "aws"),
    ("ap-northeast-1", "aws"),
    ("ap-northeast-2", "aws"),
    ("ap-northeast-3", "aws"),
    ("ap-south-1", "aws"),
    ("ap-south-2", "aws"),
    ("ap-southeast-1", "aws"),
    ("ap-southeast-2", "aws"),
    ("ap-southeast-3", "aws"),
    ("ap-southeast-4", "aws"),
    ("ap-southeast-5", "aws"),
    ("ap-southeast-6", "aws"),
    ("ap-southeast-7", "aws"),
    ("ca-central-1", "aws"),
    ("ca-west-1", "aws"),
    ("eu-central-1", "aws"),
    ("eu-central-2", "aws"),
    ("eu-north-1", "aws"),
    ("eu-south-1", "aws"),
    ("eu-south-2", "aws"),
    ("eu-west-1", "aws"),
    ("eu-west-2", "aws"),
    ("eu-west-3", "aws"),
    ("il-central-1", "aws"),
    ("me-central-1", "aws"),
    ("me-south-1", "aws"),
    ("mx-central-1", "aws"),
    ("sa-east-1", "aws"),
    ("us-east-1", "aws"),
    ("us-east-2", "aws"),
    ("us-west-1", "aws"),
    ("us-west-2", "aws"),
    ("cn-north-1", "aws-cn"),
    ("cn-northwest-1", "aws-cn"),
    ("us-gov-east-1", "aws-us-gov"),
    ("us-gov-west-1", "aws-us-gov"),
    ("us-iso-east-1", "aws-iso"),
    ("us-iso-west-1", "aws-iso"),
    ("us-isob-east-1", "aws-iso-b"),
    ("us-isob-west-1", "aws-iso-b"),
    ("eu-isoe-west-1", "aws-iso-e"),
    ("us-isof-east-1", "aws-iso-f"),
    ("us-isof-south-1", "aws-iso-f"),
    ("eusc-de-east-1", "aws-eusc"),
];

/// Is `s` a known AWS region?
pub fn is_valid_region(s: &str) -> bool {
    region_partition(s).is_some()
}

/// The partition of a known region.
pub fn region_partition(s: &str) -> Option<&'static str> {
    REGIONS.iter().find(|(r, _)| *r == s).map(|(_, p)| *p)
}

/// Does `s` look like a region (`xx-word-N`, lowercase), known or not (new regions appear)?
pub fn is_region_shaped(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    let Some((last, words)) = parts.split_last() else {
        return false;
    };
    words.len() >= 2
        && (1..=2).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_digit())
        && (2..=4).contains(&words[0].len())
        && words
            .iter()
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
}
