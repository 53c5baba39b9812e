//! Where the pages' data comes from: the [`DataSource`] trait (the gateway in production, a fake in tests) and
//! what can go wrong fetching it.

use std::future::Future;

use crate::model::{Balances, Clearing, IntervalTotals, MarketConfig, NetworkInfo, Order, Settlement};

/// Why a page's data could not be fetched, as the pages tell it.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The gateway peer cannot be reached or is not serving.
    #[error("the network is not reachable: {0}")]
    Unreachable(String),
    /// The configured identity may not read this (a 403 from the chaincode, or refused by the peer).
    #[error("this identity may not read it: {0}")]
    Refused(String),
    /// The chaincode says there is no such thing (404).
    #[error("not found: {0}")]
    NotFound(String),
    /// The chaincode or the gateway failed in another way.
    #[error("the network refused the query: {0}")]
    Failed(String),
    /// The answer is not the JSON or protobuf the chaincode sends.
    #[error("unexpected answer: {0}")]
    Malformed(String),
}

/// The contracts whose records the asset, meter, certificate and flexibility pages read as JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Contract {
    /// chaincode/energy/registry.
    Registry,
    /// chaincode/energy/metering.
    Metering,
    /// chaincode/energy/certificates.
    Certificates,
    /// chaincode/energy/flexibility.
    Flexibility,
}

impl Contract {
    /// The default chaincode name (as `scripts/network.sh deploy-energy` commits it).
    pub fn default_name(self) -> &'static str {
        match self {
            Contract::Registry => "registry",
            Contract::Metering => "metering",
            Contract::Certificates => "certificates",
            Contract::Flexibility => "flexibility",
        }
    }
}

/// The chaincode queries the pages need. Each is one evaluate call; `None` where the chaincode answers 404.
pub trait DataSource: Send + Sync + 'static {
    /// trade `GetMarketConfig`.
    fn market_config(&self) -> impl Future<Output = Result<MarketConfig, SourceError>> + Send;
    /// trade `Orders(intervalStart)`.
    fn orders(&self, interval_start: i64) -> impl Future<Output = Result<Vec<Order>, SourceError>> + Send;
    /// trade `GetClearing(intervalStart)`.
    fn clearing(&self, interval_start: i64) -> impl Future<Output = Result<Option<Clearing>, SourceError>> + Send;
    /// trade `GetSettlement(intervalStart)`.
    fn settlement(&self, interval_start: i64) -> impl Future<Output = Result<Option<Settlement>, SourceError>> + Send;
    /// trade `Balances()`.
    fn balances(&self) -> impl Future<Output = Result<Balances, SourceError>> + Send;
    /// metering `IntervalTotals(connectionPoint, intervalStart)`.
    fn interval_totals(
        &self,
        connection_point: &str,
        interval_start: i64,
    ) -> impl Future<Output = Result<IntervalTotals, SourceError>> + Send;
    /// `function(args…)` of `contract` (function first in `args`): its JSON answer, [`SourceError::NotFound`] on a
    /// 404. The pages read these records leniently ([`crate::json`]).
    fn query(
        &self,
        contract: Contract,
        args: Vec<String>,
    ) -> impl Future<Output = Result<serde_json::Value, SourceError>> + Send;
    /// What can be seen of the network (qscc, `_lifecycle`).
    fn network(&self) -> impl Future<Output = NetworkInfo> + Send;
}
