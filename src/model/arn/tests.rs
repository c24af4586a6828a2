use super::*;

const ROLE: &str = "arn:aws:iam::123456789012:role/edp-kaniko";

fn err(s: &str) -> ArnError {
    match parse_role_arn(s) {
        Err(e) => e,
        Ok(a) => panic!("expected an error for {s}, got {a:?}"),
    }
}

#[test]
fn parses_plain_role() {
    let a = parse_role_arn(ROLE).unwrap();
    assert_eq!(a.partition, "aws");
    assert_eq!(a.service, "iam");
    assert_eq!(a.region, "");
    assert_eq!(a.account, "123456789012");
    assert_eq!(a.resource, "role/edp-kaniko");
    assert_eq!(
        a.kind,
        ArnKind::Role {
            path: "/".into(),
            name: "edp-kaniko".into()
        }
    );
    assert_eq!(a.to_string(), ROLE);
}

#[test]
fn parses_role_with_path_and_partitions() {
    for p in [
        "aws",
        "aws-cn",
        "aws-us-gov",
        "aws-iso",
        "aws-iso-b",
        "aws-iso-e",
        "aws-iso-f",
    ] {
        let s = format!("arn:{p}:iam::123456789012:role/service-role/team/My.Role+=,@_-1");
        let a = parse_role_arn(&s).unwrap();
        assert_eq!(a.partition, p);
        assert_eq!(
            a.kind,
            ArnKind::Role {
                path: "/service-role/team/".into(),
                name: "My.Role+=,@_-1".into()
            }
        );
    }
}

#[test]
fn unknown_partition() {
    let e = err("arn:amazon:iam::123456789012:role/x");
    assert!(matches!(e, ArnError::UnknownPartition { ref partition, .. } if partition == "amazon"));
    assert!(matches!(
        err("arn:aws-iso-zz:iam::123456789012:role/x"),
        ArnError::UnknownPartition { .. }
    ));
}

#[test]
fn region_in_iam_arn() {
    let e = err("arn:aws:iam:us-east-1:123456789012:role/x");
    assert!(matches!(e, ArnError::RegionNotEmpty { .. }));
    let msg = e.to_string();
    assert!(msg.contains("IAM ARNs have an empty region field"), "{msg}");
    assert!(msg.contains("found region `us-east-1`"), "{msg}");
}

#[test]
fn missing_and_extra_colons() {
    let e = err("arn:aws:iam:123456789012:role/x");
    assert!(
        matches!(e, ArnError::MissingColon { found: 5, .. }),
        "{e:?}"
    );
    assert!(e.to_string().contains("colon is missing"));
    let e = err("arn:aws:iam:::123456789012:role/x");
    assert!(matches!(e, ArnError::ExtraColon { .. }), "{e:?}");
    let e = err("arn:aws:iam::123456789012:role:x");
    assert!(matches!(e, ArnError::WrongResourceType { .. }), "{e:?}");
    let e = err("arn:aws:iam::123456789012:role/a:b");
    assert!(matches!(e, ArnError::ExtraColon { .. }), "{e:?}");
}

#[test]
fn account_must_be_12_digits() {
    let e = err("arn:aws:iam::12345678901:role/x");
    assert!(matches!(e, ArnError::BadAccount { .. }));
    assert!(e.to_string().contains("found 11"), "{e}");
    assert!(matches!(
        err("arn:aws:iam::1234567890123:role/x"),
        ArnError::BadAccount { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::12345678901a:role/x"),
        ArnError::BadAccount { .. }
    ));
    let e = err("arn:aws:iam::role/x");
    assert!(matches!(e, ArnError::MissingColon { .. }), "{e:?}");
}

#[test]
fn empty_path_segments_and_names() {
    assert!(matches!(
        err("arn:aws:iam::123456789012:role//x"),
        ArnError::EmptyPathSegment { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::123456789012:role/a//b"),
        ArnError::EmptyPathSegment { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::123456789012:role/a/"),
        ArnError::EmptyName { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::123456789012:role/"),
        ArnError::EmptyName { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::123456789012:role"),
        ArnError::EmptyName { .. }
    ));
}

#[test]
fn wrong_resource_type_and_service() {
    let e = err("arn:aws:iam::123456789012:user/x");
    assert!(matches!(e, ArnError::WrongResourceType { ref found, .. } if found == "user"));
    assert!(e.to_string().contains("a `role` is expected"), "{e}");
    let e = err("arn:aws:s3:::my-bucket");
    assert!(matches!(e, ArnError::WrongService { .. }), "{e:?}");
}

#[test]
fn role_name_rules() {
    let long = format!("arn:aws:iam::123456789012:role/{}", "a".repeat(65));
    let e = err(&long);
    assert!(e.to_string().contains("limit is 64"), "{e}");
    assert!(parse_role_arn(&format!(
        "arn:aws:iam::123456789012:role/{}",
        "a".repeat(64)
    ))
    .is_ok());
    let e = err("arn:aws:iam::123456789012:role/my*role");
    assert!(matches!(e, ArnError::InvalidRoleName { .. }));
    assert!(e.to_string().contains("`*`"), "{e}");
}

#[test]
fn whitespace_and_prefix() {
    assert!(matches!(
        err(" arn:aws:iam::123456789012:role/x"),
        ArnError::Whitespace { .. }
    ));
    assert!(matches!(
        err("arn:aws:iam::123456789012:role/x\n"),
        ArnError::Whitespace { .. }
    ));
    assert!(matches!(
        err("aws:iam::123456789012:role/x"),
        ArnError::NotAnArn { .. }
    ));
    assert!(matches!(err(""), ArnError::Empty));
}

#[test]
fn placeholders_win_over_structure() {
    for (s, text) in [
        ("arn:aws:iam::<AWS_ACCOUNT_ID>:role/x", "<AWS_ACCOUNT_ID>"),
        ("arn:aws:iam::{AWS_ACCOUNT_ID}:role/x", "{AWS_ACCOUNT_ID}"),
        ("arn:aws:iam::${AWS_ACCOUNT_ID}:role/x", "${AWS_ACCOUNT_ID}"),
        ("arn:aws:iam::$AWS_ACCOUNT_ID:role/x", "$AWS_ACCOUNT_ID"),
        ("arn:aws:iam::AWS_ACCOUNT_ID:role/x", "AWS_ACCOUNT_ID"),
        ("arn:aws:iam::xxxxxxxxxxxx:role/x", "xxxxxxxxxxxx"),
        (
            "arn:aws:iam::{{ .Values.account }}:role/x",
            "{{ .Values.account }}",
        ),
        ("arn:aws:iam::123456789012:role/<role-name>", "<role-name>"),
        ("arn:aws:iam::aws-account-id:role/x", "aws-account-id"),
    ] {
        let e = err(s);
        match &e {
            ArnError::Placeholder { placeholder, .. } => {
                assert_eq!(placeholder.text, text, "{s}");
                assert_eq!(&s[placeholder.byte_range.clone()], text);
            }
            other => panic!("{s}: {other:?}"),
        }
        assert!(e.to_string().contains("placeholder"));
    }
}

#[test]
fn find_placeholder_cases() {
    assert_eq!(find_placeholder("123456789012"), None);
    assert_eq!(find_placeholder("111122223333"), None);
    assert_eq!(find_placeholder("us-east-1"), None);
    assert_eq!(find_placeholder("my-region-reader"), None);
    assert_eq!(
        find_placeholder("REGION").map(|p| p.text),
        Some("REGION".into())
    );
    // A bare word counts only as the whole value (or a whole ARN field).
    assert_eq!(find_placeholder("CLUSTER_NAME-irsa"), None);
    assert_eq!(
        find_placeholder("role/${CLUSTER_NAME}-x").map(|p| p.byte_range),
        Some(5..20)
    );
    assert_eq!(
        find_placeholder("{{ unterminated").map(|p| p.text),
        Some("{{ unterminated".into())
    );
    assert_eq!(find_placeholder("${aws:username}"), None);
    assert_eq!(
        find_placeholder("a-${VAR:-x}").map(|p| p.text),
        Some("${VAR:-x}".into())
    );
    assert_eq!(find_placeholder("OIDC_PROVIDER:sub"), None);
    assert_eq!(find_placeholder("xxx"), None);
    assert_eq!(
        find_placeholder("XXXX").map(|p| p.text),
        Some("XXXX".into())
    );
    assert_eq!(find_placeholder("é<ü>").map(|p| p.byte_range), Some(2..6));
}

#[test]
fn whole_placeholders() {
    for text in [
        "${user_values_yaml}",
        "  {{ .Values.x }}\n",
        "<VALUES>",
        "$VALUES",
    ] {
        assert!(whole_placeholder(text).is_some(), "{text}");
    }
    for text in ["a: ${x}", "{a: 1}", "REGION", "${a}-${b}", "", "x"] {
        assert!(whole_placeholder(text).is_none(), "{text}");
    }
}

#[test]
fn oidc_provider_arns() {
    let s = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC";
    let a = parse_oidc_provider_arn(s).unwrap();
    assert_eq!(
        a.kind,
        ArnKind::OidcProvider {
            issuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC".into()
        }
    );
    let e =
        parse_oidc_provider_arn("arn:aws:iam::123456789012:oidc-provider/https://oidc.eks.x/id/A");
    assert!(matches!(e, Err(ArnError::BadIssuer { .. })), "{e:?}");
    let e = parse_oidc_provider_arn(ROLE);
    assert!(matches!(e, Err(ArnError::WrongResourceType { .. })));
    let e = parse_oidc_provider_arn("arn:aws:iam::123456789012:oidc-provider/");
    assert!(matches!(e, Err(ArnError::EmptyName { .. })));
}

#[test]
fn rolesanywhere_arns() {
    let ta = "arn:aws:rolesanywhere:us-east-1:123456789012:trust-anchor/a1b2c3d4-5678-90ab-cdef-000000000001";
    let a = parse_rolesanywhere_arn(ta, RolesAnywhereResource::TrustAnchor).unwrap();
    assert!(matches!(a.kind, ArnKind::RolesAnywhereTrustAnchor { .. }));
    assert_eq!(a.region, "us-east-1");
    let e = parse_rolesanywhere_arn(ta, RolesAnywhereResource::Profile);
    assert!(matches!(e, Err(ArnError::WrongResourceType { .. })));
    let p = "arn:aws:rolesanywhere::123456789012:profile/a1b2c3d4-5678-90ab-cdef-000000000001";
    let e = parse_rolesanywhere_arn(p, RolesAnywhereResource::Profile);
    assert!(matches!(e, Err(ArnError::RegionMissing { .. })), "{e:?}");
    let p = "arn:aws:rolesanywhere:us-east-1:123456789012:profile/not-a-uuid";
    assert!(matches!(
        parse_rolesanywhere_arn(p, RolesAnywhereResource::Profile),
        Err(ArnError::BadId { .. })
    ));
    assert!(matches!(
        parse_rolesanywhere_arn(ROLE, RolesAnywhereResource::Profile),
        Err(ArnError::WrongService { .. })
    ));
}

#[test]
fn general_parse_accepts_other_arns() {
    let a = Arn::parse("arn:aws:s3:::bucket/key:with:colons").unwrap();
    assert_eq!(a.kind, ArnKind::Other);
    assert_eq!(a.resource, "bucket/key:with:colons");
    let a = Arn::parse("arn:aws:iam::aws:policy/AdministratorAccess").unwrap();
    assert_eq!(a.account, "aws");
    let a = Arn::parse("arn:aws:sts::123456789012:assumed-role/r/s").unwrap();
    assert_eq!(a.resource_type(), "assumed-role");
}

#[test]
fn regions() {
    for r in [
        "us-east-1",
        "eu-central-2",
        "cn-northwest-1",
        "us-gov-west-1",
        "us-isob-east-1",
    ] {
        assert!(is_valid_region(r), "{r}");
        assert!(is_region_shaped(r), "{r}");
    }
    assert_eq!(region_partition("cn-north-1"), Some("aws-cn"));
    assert!(!is_valid_region("123456789012"));
    assert!(!is_valid_region("us-east-9"));
    assert!(is_region_shaped("us-east-9"));
    assert!(!is_region_shaped("$AWS_ACCOUNT_ID"));
    assert!(!is_region_shaped("US-EAST-1"));
    assert!(!is_region_shaped("useast1"));
    assert!(!is_region_shaped(""));
}

#[test]
fn never_panics_on_odd_input() {
    for s in [
        "arn:",
        "arn::::::",
        "arn:aws:iam::123456789012:role/é/ü",
        "<",
        "${",
        "{{",
        "$",
        "é<",
        "arn:aws:rolesanywhere:é:1:x",
    ] {
        let _ = Arn::parse(s);
        let _ = parse_role_arn(s);
        let _ = find_placeholder(s);
    }
}

#[test]
fn random_strings_never_panic() {
    let alphabet: Vec<char> = "arn:aws-iso/{}<>$_xX1é ".chars().collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..2000 {
        let len = (seed % 40) as usize;
        let s: String = (0..len)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                alphabet[(seed >> 33) as usize % alphabet.len()]
            })
            .collect();
        let _ = Arn::parse(&s);
        let _ = parse_oidc_provider_arn(&s);
        let _ = parse_rolesanywhere_arn(&s, RolesAnywhereResource::Profile);
        if let Some(p) = find_placeholder(&s) {
            assert_eq!(&s[p.byte_range.clone()], p.text);
        }
    }
}

#[test]
fn stand_in_roles_are_symbolic() {
    let long = "module.reporting.aws_iam_role.metrics_exporter_for_the_reporting_warehouse_in_every_region";
    let arn = format!("arn:aws:iam::{UNKNOWN_ACCOUNT}:role/{long}");
    assert!(
        parse_role_arn(&arn).is_ok(),
        "a stand-in is not held to the 64-character limit"
    );
    assert_eq!(display_role(&arn), long);
    assert_eq!(
        stand_in_role_name("aws_iam_role.x[\"a\"]"),
        "aws_iam_role.x..a.."
    );
    assert!(is_stand_in_role_name("aws_iam_role.x..a.."));
    // A real name, or a stand-in name in a real account, is shown as written.
    let real = "arn:aws:iam::111122223333:role/aws_iam_role.x";
    assert_eq!(display_role(real), real);
    assert!(!is_stand_in_role_name("my-aws_iam_role.x"));
    assert!(!is_stand_in_role_name("aws_iam_role."));
}
