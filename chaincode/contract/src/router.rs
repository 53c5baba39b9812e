//! Parsing a function name into the contract and function it addresses.

/// A parsed `Contract:Function` name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route<'a> {
    /// The contract named before the last `:`; `None` for the default contract.
    pub contract: Option<&'a str>,
    /// The function, after the last `:` (may be empty).
    pub function: &'a str,
}

impl<'a> Route<'a> {
    /// Splits at the **last** `:`, as fabric-contract-api-go does, so contract names may contain `:`
    /// (`a:b:Fn` is function `Fn` of contract `a:b`). Without a `:`, the whole name is a function of the default
    /// contract.
    pub fn parse(name: &'a str) -> Self {
        match name.rsplit_once(':') {
            Some((contract, function)) => Self { contract: Some(contract), function },
            None => Self { contract: None, function: name },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_the_last_colon() {
        assert_eq!(Route::parse("Assets:Create"), Route { contract: Some("Assets"), function: "Create" });
        assert_eq!(Route::parse("a:b:Create"), Route { contract: Some("a:b"), function: "Create" });
        assert_eq!(Route::parse("Create"), Route { contract: None, function: "Create" });
        assert_eq!(Route::parse("Assets:"), Route { contract: Some("Assets"), function: "" });
        assert_eq!(Route::parse(":Create"), Route { contract: Some(""), function: "Create" });
        assert_eq!(Route::parse(""), Route { contract: None, function: "" });
    }
}
