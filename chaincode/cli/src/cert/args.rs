//! `gridctl cert ...` arguments.

use clap::{Args, Subcommand};

use crate::conn::GatewayArgs;

/// The certificates chaincode, who calls it, and how the answer is printed.
#[derive(Debug, Args)]
pub struct CertConn {
    /// Identity, peer and channel.
    #[command(flatten)]
    pub gw: GatewayArgs,
    /// Name of the certificates chaincode.
    #[arg(short = 'n', long, default_value = "certificates")]
    pub chaincode: String,
    /// Print the chaincode's JSON answer instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `gridctl cert`.
#[derive(Debug, Subcommand)]
pub enum CertCommand {
    /// Register a producing asset as a certificate device (the issuing body's issuer or admin).
    ///
    /// Example: gridctl cert register-device --org grid --asset pv-1 --technology T020001 --area 10YNL----------L
    /// --meter m-pv-1
    RegisterDevice(RegisterDeviceArgs),
    /// Issue a device's certificate for an hour from its metered export (the producer or an issuer).
    ///
    /// Example: gridctl cert issue --org prosumer --user alice pv-1 --hour 1700002800
    Issue(IssueArgs),
    /// Transfer all or part of a certificate (its holder); a part splits it.
    ///
    /// Example: gridctl cert transfer --org prosumer --user alice CERT_ID --to-msp ProsumerMSP --to-id ID --wh 400
    Transfer(TransferArgs),
    /// Offer all or part of a certificate for sale (its holder).
    ///
    /// Example: gridctl cert offer --org prosumer --user alice CERT_ID --wh 1500 --price-per-mwh 80000
    Offer(PriceArgs),
    /// Accept a sell offer: the certificate moves and the price is paid in trade's balances, atomically.
    ///
    /// Example: gridctl cert accept --org prosumer --user bob CERT_ID --wh 1500 --price-per-mwh 80000
    Accept(PriceArgs),
    /// Cancel Wh of a certificate for a beneficiary's consumption in the same hour (its holder).
    ///
    /// Example: gridctl cert claim --org prosumer --user bob CERT_ID --wh 1500 --hour 1700002800
    /// --beneficiary-msp ProsumerMSP --beneficiary-id ID
    Claim(ClaimArgs),
    /// Show a certificate (with --history, every version of it).
    ///
    /// Example: gridctl cert show --org grid CERT_ID --history
    Show(ShowArgs),
    /// A party's hour-by-hour matching of a day: consumption, claimed, matched, the 24/7 score.
    ///
    /// Example: gridctl cert report --org prosumer --user bob --msp ProsumerMSP --id ID --day 1700006400
    Report(ReportArgs),
}

/// `gridctl cert register-device`.
#[derive(Debug, Args)]
pub struct RegisterDeviceArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The registry asset (active, producing).
    #[arg(long)]
    pub asset: String,
    /// Technology code (e.g. EECS T020001, solar).
    #[arg(long)]
    pub technology: String,
    /// Bidding zone or grid area.
    #[arg(long)]
    pub area: String,
    /// A meter whose export register counts (repeat for several).
    #[arg(long = "meter", value_name = "METER_ID", required = true)]
    pub meters: Vec<String>,
}

/// `gridctl cert issue`.
#[derive(Debug, Args)]
pub struct IssueArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The device.
    pub device_id: String,
    /// The production hour's start, Unix seconds (aligned to 3600).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub hour: i64,
}

/// `gridctl cert transfer`.
#[derive(Debug, Args)]
pub struct TransferArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The certificate.
    pub certificate_id: String,
    /// The receiver's MSP id.
    #[arg(long)]
    pub to_msp: String,
    /// The receiver's client id (as the chaincode reports parties).
    #[arg(long)]
    pub to_id: String,
    /// Wh to transfer (the whole certificate or less).
    #[arg(long)]
    pub wh: i64,
}

/// `gridctl cert offer` and `accept`: a certificate, Wh and price.
#[derive(Debug, Args)]
pub struct PriceArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The certificate.
    pub certificate_id: String,
    /// Wh.
    #[arg(long)]
    pub wh: i64,
    /// Price, minor units per MWh.
    #[arg(long)]
    pub price_per_mwh: i64,
}

/// `gridctl cert claim`.
#[derive(Debug, Args)]
pub struct ClaimArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The certificate.
    pub certificate_id: String,
    /// Wh to cancel.
    #[arg(long)]
    pub wh: i64,
    /// The consumption hour's start, Unix seconds (the certificate's hour).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub hour: i64,
    /// The beneficiary's MSP id.
    #[arg(long)]
    pub beneficiary_msp: String,
    /// The beneficiary's client id.
    #[arg(long)]
    pub beneficiary_id: String,
}

/// `gridctl cert show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The certificate.
    pub certificate_id: String,
    /// Also every version of it (newest first), and its parent's before a split.
    #[arg(long)]
    pub history: bool,
}

/// `gridctl cert report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The certificates chaincode and who calls it.
    #[command(flatten)]
    pub conn: CertConn,
    /// The party's MSP id.
    #[arg(long)]
    pub msp: String,
    /// The party's client id.
    #[arg(long)]
    pub id: String,
    /// The day's start, Unix seconds (aligned to 3600).
    #[arg(long, value_name = "UNIX_SECONDS")]
    pub day: i64,
}
