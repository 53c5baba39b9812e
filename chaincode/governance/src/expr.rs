//! Fabric's signature policy language, e.g.
//! `OutOf(2, 'AMSP.peer', AND('BMSP.member', 'CMSP.peer'))`, parsed into a
//! [`SignaturePolicyEnvelope`] and rendered back.
//!
//! As Fabric's own parser (`common/policydsl`): `AND(..)` is an n-out-of-n
//! node, `OR(..)` 1-out-of-n, `OutOf(n, ..)` n-out-of-the-rules; every
//! principal occurrence becomes one entry of `identities` (no deduplication),
//! numbered as Fabric numbers them: a node's own principals after those of
//! the nodes nested in it (Fabric evaluates the inner calls first), in order
//! of appearance. So the bytes equal what `peer lifecycle chaincode
//! approveformyorg --signature-policy` sends, and approvals made with either
//! tool match.

use gridledger_protos::common::msp_principal::Classification;
use gridledger_protos::common::msp_role::MspRoleType;
use gridledger_protos::common::signature_policy::{NOutOf, Type};
use gridledger_protos::common::{MspPrincipal, MspRole, SignaturePolicy, SignaturePolicyEnvelope};
use prost::Message as _;

use crate::error::{Error, Result};

/// Longest expression accepted (a policy naming a few dozen orgs fits easily).
pub const MAX_EXPR_LEN: usize = 4096;
/// Deepest nesting of AND/OR/OutOf accepted.
pub const MAX_DEPTH: usize = 16;

/// Parses a policy expression into the envelope Fabric stores.
pub fn parse(expr: &str) -> Result<SignaturePolicyEnvelope> {
    let mut p = Parser { src: expr, pos: 0, identities: Vec::new() };
    if expr.len() > MAX_EXPR_LEN {
        return Err(p.fail(format!("longer than {MAX_EXPR_LEN} bytes")));
    }
    p.skip_ws();
    if p.rest().starts_with(['\'', '"']) {
        return Err(p.fail("a lone principal is not a policy: write OR('MSP.role')".into()));
    }
    let rule = p.node(0)?;
    p.skip_ws();
    if p.pos != expr.len() {
        return Err(p.fail("unexpected text after the expression".into()));
    }
    Ok(SignaturePolicyEnvelope { version: 0, rule: Some(rule), identities: p.identities })
}

/// Renders an envelope in the policy language (principals as `'MSP.role'`).
/// Principals that are not MSP roles show as `<principal #i>`.
pub fn render(env: &SignaturePolicyEnvelope) -> String {
    let mut out = String::new();
    match &env.rule {
        Some(rule) => render_rule(rule, &env.identities, &mut out),
        None => out.push_str("<empty>"),
    }
    out
}

fn render_rule(rule: &SignaturePolicy, ids: &[MspPrincipal], out: &mut String) {
    match &rule.r#type {
        Some(Type::SignedBy(i)) => {
            let name = usize::try_from(*i).ok().and_then(|i| ids.get(i)).and_then(principal_name);
            match name {
                Some(n) => out.push_str(&format!("'{n}'")),
                None => out.push_str(&format!("<principal #{i}>")),
            }
        }
        Some(Type::NOutOf(n)) => {
            let len = n.rules.len();
            match n.n {
                1 => out.push_str("OR("),
                k if usize::try_from(k) == Ok(len) && len > 1 => out.push_str("AND("),
                k => out.push_str(&format!("OutOf({k}, ")),
            }
            for (i, r) in n.rules.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_rule(r, ids, out);
            }
            out.push(')');
        }
        None => out.push_str("<empty>"),
    }
}

/// `MSP.role` of a role principal, or `None` for other classifications.
pub fn principal_name(p: &MspPrincipal) -> Option<String> {
    if p.principal_classification != Classification::Role as i32 {
        return None;
    }
    let role = MspRole::decode(p.principal.as_slice()).ok()?;
    let name = match MspRoleType::try_from(role.role).ok()? {
        MspRoleType::Member => "member",
        MspRoleType::Admin => "admin",
        MspRoleType::Client => "client",
        MspRoleType::Peer => "peer",
        MspRoleType::Orderer => "orderer",
    };
    Some(format!("{}.{name}", role.msp_identifier))
}

/// A role principal of `msp`.
pub fn role_principal(msp: &str, role: MspRoleType) -> MspPrincipal {
    MspPrincipal {
        principal_classification: Classification::Role as i32,
        principal: MspRole { msp_identifier: msp.to_owned(), role: role as i32 }.encode_to_vec(),
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    identities: Vec<MspPrincipal>,
}

impl Parser<'_> {
    fn fail(&self, problem: String) -> Error {
        Error::Policy { expr: self.src.to_owned(), offset: self.pos, problem }
    }

    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn skip_ws(&mut self) {
        let trimmed = self.rest().trim_start();
        self.pos = self.src.len() - trimmed.len();
    }

    fn eat(&mut self, c: char) -> Result<()> {
        self.skip_ws();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            Ok(())
        } else {
            Err(self.fail(format!("expected '{c}'")))
        }
    }

    fn child(&mut self, depth: usize) -> Result<Child> {
        self.skip_ws();
        if self.rest().starts_with(['\'', '"']) {
            return self.principal().map(Child::Principal);
        }
        self.node(depth).map(Child::Rule)
    }

    fn node(&mut self, depth: usize) -> Result<SignaturePolicy> {
        if depth > MAX_DEPTH {
            return Err(self.fail(format!("nested deeper than {MAX_DEPTH}")));
        }
        self.skip_ws();
        let word_len = self.rest().find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(self.rest().len());
        let word = &self.rest()[..word_len];
        let op = match word.to_ascii_lowercase().as_str() {
            "and" => Op::And,
            "or" => Op::Or,
            "outof" => Op::OutOf,
            _ => return Err(self.fail("expected AND(, OR(, OutOf( or a quoted 'MSP.role'".into())),
        };
        self.pos += word_len;
        self.eat('(')?;
        let mut n = None;
        if op == Op::OutOf {
            self.skip_ws();
            let digits = self.rest().find(|c: char| !c.is_ascii_digit()).unwrap_or(self.rest().len());
            let value: i32 = self.rest()[..digits].parse().map_err(|_| self.fail("expected the count n".into()))?;
            self.pos += digits;
            n = Some(value);
            self.eat(',')?;
        }
        let mut children = vec![self.child(depth + 1)?];
        loop {
            self.skip_ws();
            if self.rest().starts_with(')') {
                self.pos += 1;
                break;
            }
            self.eat(',')?;
            children.push(self.child(depth + 1)?);
        }
        // This node's principals are numbered now, after every nested node's.
        let mut rules = Vec::with_capacity(children.len());
        for child in children {
            rules.push(match child {
                Child::Rule(rule) => rule,
                Child::Principal(principal) => {
                    let index =
                        i32::try_from(self.identities.len()).map_err(|_| self.fail("too many principals".into()))?;
                    self.identities.push(principal);
                    SignaturePolicy { r#type: Some(Type::SignedBy(index)) }
                }
            });
        }
        let len = i32::try_from(rules.len()).map_err(|_| self.fail("too many rules".into()))?;
        let n = match op {
            Op::And => len,
            Op::Or => 1,
            Op::OutOf => n.unwrap_or(len),
        };
        if n < 1 || n > len {
            return Err(self.fail(format!("OutOf({n}, ..) over {len} rules can never be satisfied sensibly")));
        }
        Ok(SignaturePolicy { r#type: Some(Type::NOutOf(NOutOf { n, rules })) })
    }

    fn principal(&mut self) -> Result<MspPrincipal> {
        let quote = self.rest().chars().next().unwrap_or('\'');
        let body_start = self.pos + 1;
        let Some(len) = self.src[body_start..].find(quote) else {
            return Err(self.fail("unterminated principal".into()));
        };
        let body = &self.src[body_start..body_start + len];
        let (msp, role) = body.rsplit_once('.').ok_or_else(|| self.fail("principal is not 'MSP.role'".into()))?;
        let valid_msp =
            !msp.is_empty() && msp.chars().all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '_');
        if !valid_msp {
            return Err(self.fail("bad MSP id in principal".into()));
        }
        let role = match role {
            "member" => MspRoleType::Member,
            "admin" => MspRoleType::Admin,
            "client" => MspRoleType::Client,
            "peer" => MspRoleType::Peer,
            "orderer" => MspRoleType::Orderer,
            _ => return Err(self.fail("role must be member, admin, client, peer or orderer".into())),
        };
        self.pos = body_start + len + 1;
        Ok(role_principal(msp, role))
    }
}

/// An argument of AND/OR/OutOf before this node's principals are numbered.
enum Child {
    Rule(SignaturePolicy),
    Principal(MspPrincipal),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    And,
    Or,
    OutOf,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_out_of_round_trips() {
        let text = "OutOf(2, 'AMSP.peer', AND('BMSP.member', 'CMSP.peer'), OR('A.B-MSP.admin'))";
        let env = parse(text).expect("parses");
        assert_eq!(env.identities.len(), 4);
        assert_eq!(render(&env), text);
        let Some(Type::NOutOf(top)) = env.rule.and_then(|r| r.r#type) else { panic!("n-out-of at the top") };
        assert_eq!(top.n, 2);
        assert_eq!(top.rules.len(), 3);
        // Numbered as Fabric does: nested nodes' principals first, then this node's.
        let names: Vec<String> = env.identities.iter().filter_map(principal_name).collect();
        assert_eq!(names, ["BMSP.member", "CMSP.peer", "A.B-MSP.admin", "AMSP.peer"]);
        let Some(Type::SignedBy(first)) = top.rules[0].r#type else { panic!("a leaf first") };
        assert_eq!(first, 3);
    }

    #[test]
    fn same_bytes_as_fabric_for_a_simple_or() {
        // `peer` encodes OR('A.peer','B.peer') as version 0, NOutOf{1, [SignedBy 0, SignedBy 1]}, two role principals.
        let env = parse("OR('A.peer','B.peer')").expect("parses");
        let expected = SignaturePolicyEnvelope {
            version: 0,
            rule: Some(SignaturePolicy {
                r#type: Some(Type::NOutOf(NOutOf {
                    n: 1,
                    rules: vec![
                        SignaturePolicy { r#type: Some(Type::SignedBy(0)) },
                        SignaturePolicy { r#type: Some(Type::SignedBy(1)) },
                    ],
                })),
            }),
            identities: vec![role_principal("A", MspRoleType::Peer), role_principal("B", MspRoleType::Peer)],
        };
        assert_eq!(env, expected);
    }

    #[test]
    fn refuses_bad_input() {
        for bad in [
            "",
            "OR(",
            "OR('A.peer'",
            "OR('A.king')",
            "OR('Apeer')",
            "OutOf(3, 'A.peer', 'B.peer')",
            "OutOf(0, 'A.peer')",
            "XOR('A.peer')",
            "OR('A.peer') junk",
            "OR('A B.peer')",
            "'A.peer'",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} should not parse");
        }
        let deep = format!("{}'A.peer'{}", "OR(".repeat(MAX_DEPTH + 2), ")".repeat(MAX_DEPTH + 2));
        assert!(parse(&deep).is_err());
        assert!(parse(&"x".repeat(MAX_EXPR_LEN + 1)).is_err());
    }
}
