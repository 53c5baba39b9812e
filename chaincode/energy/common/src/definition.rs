//! [`energy_chaincode!`](crate::energy_chaincode): the entry points every energy contract crate has, written once.

/// Defines, at the root of an energy contract crate that has `CONTRACT` and `contract()`:
/// - `try_chaincode()`: the contract (default) plus the system contract on the given executor, with every argument
///   bounded (DESIGN.md, "Bounded input"), reporting definition mistakes;
/// - `chaincode()`: the same for `gridledger_shim::main`, panicking on a definition mistake (never in practice: the
///   definition is fixed and checked by the unit test below);
/// - a unit test that the definition builds, that `CONTRACT` is the default, and that the whole `GetMetadata`
///   document equals `testdata/metadata.json` byte for byte, so a change to any schema shows up there as a diff
///   (`GRIDLEDGER_BLESS=1 cargo test` rewrites it; review that diff). The crate needs `gridledger-testkit` as a
///   dev-dependency.
///
/// `$name` is the contract's name in prose (`"trade"`), `$executor` a [`gridledger_shim::Executor`].
#[macro_export]
macro_rules! energy_chaincode {
    ($name:literal, $executor:expr) => {
        /// Builds the chaincode, reporting definition mistakes.
        pub fn try_chaincode()
        -> ::std::result::Result<::gridledger_contract::ContractChaincode, ::gridledger_contract::DefinitionError> {
            ::gridledger_contract::ContractChaincode::builder()
                .executor($executor)
                .contract(contract())
                .require_bounded_arguments()
                .build()
        }

        #[doc = concat!("The ", $name, " chaincode, for `gridledger_shim::main`.")]
        ///
        /// # Panics
        /// Never in practice: the definition is fixed and checked by a unit test of [`try_chaincode`].
        pub fn chaincode() -> ::gridledger_contract::ContractChaincode {
            try_chaincode().expect(concat!("the ", $name, " contract definition is valid"))
        }

        #[cfg(test)]
        mod definition_tests {
            #[test]
            fn the_definition_builds_and_its_metadata_is_pinned() {
                let cc = super::try_chaincode().unwrap();
                assert_eq!(cc.default_contract(), super::CONTRACT);
                // Byte for byte what the peer is given (one line; `jq -S . <file>` to read it).
                ::gridledger_testkit::golden::assert_pinned(
                    &format!("{}\n", cc.metadata()),
                    concat!(env!("CARGO_MANIFEST_DIR"), "/testdata/metadata.json"),
                );
            }
        }
    };
}
