//! The records of the flexibility contract and their JSON (camelCase; input documents refuse unknown fields).

use gridledger_contract::{Fields, Object, Schema};
use gridledger_energy_common::caller::Party;
use serde::{Deserialize, Serialize};

/// A transaction timestamp, ordered by time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize, Object)]
pub struct Timestamp {
    /// Unix seconds.
    pub seconds: i64,
    /// Nanoseconds within the second.
    pub nanos: i32,
}

/// Which way the grid operator wants the VPP's net export to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// More export or less import than the baseline.
    Up,
    /// Less export or more import than the baseline.
    Down,
}

impl gridledger_contract::Describe for Direction {
    fn schema(_: &mut gridledger_contract::Components) -> Schema {
        Schema::string().one_of_values(["up", "down"])
    }
}

impl Direction {
    /// The energy that counts in this direction, from a net export (export - import, Wh): the net export itself
    /// for `up`, its negation (net import) for `down`.
    pub fn directional(self, net_export_wh: i64) -> Option<i64> {
        match self {
            Self::Up => Some(net_export_wh),
            Self::Down => net_export_wh.checked_neg(),
        }
    }
}

/// How the counterfactual "what the VPP would have done" is computed (README, "Baselines").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "camelCase", deny_unknown_fields)]
pub enum Baseline {
    /// (a) The VPP's own schedule of net export per interval, submitted before gate closure.
    Schedule,
    /// (b) High X of Y: of the last `y` days that had readings in the same interval (looking back at most
    /// `2 * y` days), the mean of the `x` highest, in the request's direction.
    #[serde(rename = "highXOfY")]
    HighXOfY {
        /// How many of the days are averaged (the highest ones).
        x: u32,
        /// How many days with readings are considered.
        y: u32,
    },
}

// By hand: an internally tagged enum (`method`), which the derive does not describe.
impl Object for Baseline {
    const NAME: &'static str = "Baseline";
    fn describe(fields: &mut Fields<'_>) {
        fields
            .field_schema("method", Schema::string().one_of_values(["schedule", "highXOfY"]), true)
            .field_schema("x", Schema::integer("uint32", 1, 10), false)
            .field_schema("y", Schema::integer("uint32", 1, 10), false);
    }
}

/// What the grid operator asks for (`CreateRequest`'s document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexRequestSpec")]
pub struct RequestSpec {
    /// Connection points, or grid areas as a prefix ending in `*` (`cp-ber-*`), whose assets may deliver.
    pub connection_points: Vec<String>,
    /// The first delivery interval's start, Unix seconds, aligned to `intervalSeconds`.
    pub interval_start: i64,
    /// The delivery interval length, one of 60, 300, 900, 1800, 3600.
    pub interval_seconds: u32,
    /// How many consecutive intervals.
    pub intervals: u32,
    /// Up or down.
    pub direction: Direction,
    /// Wh wanted in each interval.
    pub wh: i64,
    /// The highest price accepted, minor units per kWh.
    pub price_cap_per_kwh: i64,
    /// When offers close, Unix seconds (at most `intervalStart`).
    pub gate_closure: i64,
    /// How delivery is measured.
    pub baseline: Baseline,
    /// Shortfall tolerated without penalty, basis points of the awarded Wh (0 to 10 000).
    pub tolerance_bps: u32,
    /// What undelivered Wh beyond the tolerance cost the VPP, minor units per kWh.
    pub penalty_per_kwh: i64,
}

/// Where a request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RequestStatus {
    /// Taking offers until gate closure, then awaiting the award.
    Open,
    /// Withdrawn by the grid operator before gate closure.
    Cancelled,
    /// Awarded: the award is a commitment.
    Awarded,
}

impl gridledger_contract::Describe for RequestStatus {
    fn schema(_: &mut gridledger_contract::Components) -> Schema {
        Schema::string().one_of_values(["open", "cancelled", "awarded"])
    }
}

/// A request, `request [requestId]`. Its id is the creating transaction's id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Request {
    /// The creating transaction's id.
    pub id: String,
    /// Who asked (a grid operator's operator or admin).
    pub operator: Party,
    /// What was asked.
    #[serde(flatten)]
    pub spec: RequestSpec,
    /// Open, cancelled or awarded.
    pub status: RequestStatus,
    /// When it was created.
    pub created_at: Timestamp,
}

// By hand: `spec` is `#[serde(flatten)]`, which the derive refuses; its fields are `RequestSpec`'s, in place.
impl Object for Request {
    const NAME: &'static str = "FlexRequest";
    fn describe(fields: &mut Fields<'_>) {
        fields.field::<String>("id").field::<Party>("operator");
        <RequestSpec as Object>::describe(fields);
        fields.field::<RequestStatus>("status").field::<Timestamp>("createdAt");
    }
}

/// What an aggregator offers (`SubmitOffer`'s document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexOfferSpec")]
pub struct OfferSpec {
    /// The VPP offering.
    pub vpp_id: String,
    /// Wh offered in each interval of the request.
    pub wh: i64,
    /// The price asked, minor units per kWh (paid as bid).
    pub price_per_kwh: i64,
    /// The member meters whose readings measure the delivery.
    pub meters: Vec<String>,
    /// For schedule baselines: the VPP's planned net export (export - import) of these meters per interval, Wh.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<i64>>,
}

/// One meter backing an offer, as read from metering and the registry when the offer was made.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexBacking")]
pub struct Backing {
    /// The meter.
    pub meter_id: String,
    /// Its asset, a member of the VPP.
    pub asset_id: String,
    /// The asset's owner when the offer was made: the member paid for this meter's contribution.
    pub owner: Party,
    /// The asset's connection point.
    pub connection_point: String,
    /// The asset's nameplate power, W.
    pub nameplate_w: i64,
    /// The registers the meter reports.
    pub registers: Vec<String>,
    /// The meter's interval length, seconds (divides the request's).
    pub interval_seconds: u32,
}

/// An offer, `offer [requestId, vppId]`: one per VPP and request (a new one before gate closure replaces it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexOffer")]
pub struct Offer {
    /// The request.
    pub request_id: String,
    /// The VPP.
    pub vpp_id: String,
    /// Its aggregator, who made the offer.
    pub aggregator: Party,
    /// Wh per interval.
    pub wh: i64,
    /// Minor units per kWh.
    pub price_per_kwh: i64,
    /// What the members' nameplates allow per interval, Wh (`wh` is at most this).
    pub cap_wh: i64,
    /// The meters, in meter id order.
    pub backing: Vec<Backing>,
    /// The schedule baseline, if given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule: Option<Vec<i64>>,
    /// When it was (last) made: merit order breaks price ties by it.
    pub placed_at: Timestamp,
}

/// One awarded offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexAwarded")]
pub struct Awarded {
    /// The VPP.
    pub vpp_id: String,
    /// Wh per interval awarded (at most its offer).
    pub wh: i64,
    /// Its own offer price (pay-as-bid), minor units per kWh.
    pub price_per_kwh: i64,
}

/// The award of a request, `award [requestId]`: written once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Object)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[object(name = "FlexAward")]
pub struct Award {
    /// The request.
    pub request_id: String,
    /// Awarded offers in merit order (only those with Wh > 0).
    pub awards: Vec<Awarded>,
    /// Sum of the awarded Wh per interval (at most the request's).
    pub awarded_wh: i64,
    /// Offers left out and why (above the cap is refused at submission; here: no schedule, or nothing left).
    pub skipped: Vec<String>,
    /// When.
    pub awarded_at: Timestamp,
}
