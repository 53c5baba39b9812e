//! serde's `rename_all` rules, applied to a Rust field name (snake_case) as serde applies them.

/// A `rename_all` rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RenameRule {
    Lower,
    Upper,
    Pascal,
    Camel,
    Snake,
    ScreamingSnake,
    Kebab,
    ScreamingKebab,
}

impl RenameRule {
    /// The rule serde names `text`, e.g. `camelCase`.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "lowercase" => Self::Lower,
            "UPPERCASE" => Self::Upper,
            "PascalCase" => Self::Pascal,
            "camelCase" => Self::Camel,
            "snake_case" => Self::Snake,
            "SCREAMING_SNAKE_CASE" => Self::ScreamingSnake,
            "kebab-case" => Self::Kebab,
            "SCREAMING-KEBAB-CASE" => Self::ScreamingKebab,
            _ => return None,
        })
    }

    /// The JSON name of the field `field` (snake_case by Rust convention) under this rule.
    pub(crate) fn apply(self, field: &str) -> String {
        match self {
            Self::Lower | Self::Snake => field.to_string(),
            Self::Upper | Self::ScreamingSnake => field.to_ascii_uppercase(),
            Self::Pascal => pascal(field),
            Self::Camel => {
                let pascal = pascal(field);
                let mut chars = pascal.chars();
                match chars.next() {
                    Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
                    None => pascal,
                }
            }
            Self::Kebab => field.replace('_', "-"),
            Self::ScreamingKebab => field.to_ascii_uppercase().replace('_', "-"),
        }
    }
}

/// `interval_start` -> `IntervalStart`: each `_` dropped and the letter after it (and the first) capitalized.
fn pascal(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut capitalize = true;
    for c in field.chars() {
        if c == '_' {
            capitalize = true;
        } else if capitalize {
            out.push(c.to_ascii_uppercase());
            capitalize = false;
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::RenameRule::{self, *};

    #[test]
    fn every_rule_as_serde_applies_it() {
        let cases = [
            (Lower, "price_per_kwh", "price_per_kwh"),
            (Upper, "price_per_kwh", "PRICE_PER_KWH"),
            (Pascal, "price_per_kwh", "PricePerKwh"),
            (Camel, "price_per_kwh", "pricePerKwh"),
            (Camel, "wh", "wh"),
            (Camel, "capacity_w", "capacityW"),
            (Camel, "x", "x"),
            (Snake, "price_per_kwh", "price_per_kwh"),
            (ScreamingSnake, "price_per_kwh", "PRICE_PER_KWH"),
            (Kebab, "price_per_kwh", "price-per-kwh"),
            (ScreamingKebab, "price_per_kwh", "PRICE-PER-KWH"),
        ];
        for (rule, field, json) in cases {
            assert_eq!(rule.apply(field), json, "{rule:?} of {field}");
        }
    }

    #[test]
    fn rule_names_are_serdes() {
        assert_eq!(RenameRule::parse("camelCase"), Some(Camel));
        assert_eq!(RenameRule::parse("SCREAMING-KEBAB-CASE"), Some(ScreamingKebab));
        assert_eq!(RenameRule::parse("camelcase"), None);
    }
}
