//! Stand-ins for what only a deploy knows. A front-end that cannot know a role's account or name
//! (a Terraform role whose `name` is computed, before apply) writes the account
//! `UNKNOWN_ACCOUNT` and names the role by its address (`module.x.aws_iam_role.y`): the stand-in
//! still pairs the role with its service accounts by reference, but it is symbolic, never
//! checked as a literal name or account, and shown to users as the address.

/// The account of an ARN a front-end synthesizes when the account is known only at deploy time.
pub const UNKNOWN_ACCOUNT: &str = "000000000000";

/// The resource type in a Terraform address that stand-in role names carry.
const ROLE_TYPE: &str = "aws_iam_role.";

/// The stand-in name of a role known by its address only: characters IAM does not allow in a
/// role name (`[`, `"`, …) become `.`, so `aws_iam_role.x["a"]` is `aws_iam_role.x..a..`.
pub fn stand_in_role_name(address: &str) -> String {
    address
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@-_".contains(c) {
                c
            } else {
                '.'
            }
        })
        .collect()
}

/// Is this role name a stand-in (`aws_iam_role.y`, `module.x.aws_iam_role.y`)?
pub fn is_stand_in_role_name(name: &str) -> bool {
    let Some(i) = name.find(ROLE_TYPE) else {
        return false;
    };
    let modules = &name[..i];
    let named = name.len() > i + ROLE_TYPE.len();
    named && (modules.is_empty() || (modules.starts_with("module.") && modules.ends_with('.')))
}

/// The address a stand-in stands for: a stand-in role name, or a role ARN in `UNKNOWN_ACCOUNT`
/// that ends in one.
pub fn stand_in_address(value: &str) -> Option<&str> {
    let name = match value.strip_prefix("arn:") {
        Some(_) => {
            let fields: Vec<&str> = value.splitn(6, ':').collect();
            let [_, _, "iam", "", UNKNOWN_ACCOUNT, resource] = fields[..] else {
                return None;
            };
            resource.strip_prefix("role/")?.rsplit('/').next()?
        }
        None => value,
    };
    is_stand_in_role_name(name).then_some(name)
}

/// A role ARN or name as users read it: a stand-in shows as its address.
pub fn display_role(value: &str) -> &str {
    stand_in_address(value).unwrap_or(value)
}

/// A value with a part known only at deploy time: the CloudFormation and Terraform front-ends
/// write what they cannot resolve (`${AWS::AccountId}`, an intrinsic, a Terraform unknown) as
/// `${…}`. Such a value is symbolic: never validated as the literal it is not.
pub fn has_deploy_time_part(value: &str) -> bool {
    value.contains("${")
}
