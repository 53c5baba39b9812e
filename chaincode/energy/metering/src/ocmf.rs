//! OCMF (Open Charge Metering Format, SAFE e.V.): signed meter values of EV chargers under German calibration law,
//! accepted as readings of a registered meter whose public key is the charger's (`SubmitOcmf`).
//!
//! A record is `OCMF|{payload}|{signature}`. The signature (`SA` `ECDSA-secp256r1-SHA256`, the default; `SD` the
//! DER signature, hex unless `SE` says base64) covers the payload section byte for byte. Metering's meter keys are
//! P-256 points, so that is the one algorithm verified; a record naming another curve is refused by name.
//!
//! # Mapping onto metering's reading model
//! | OCMF | reading |
//! |---|---|
//! | the meter named by the `SubmitOcmf` argument | `meterId` (its registered key must verify the record) |
//! | `RD[*].RI` (OBIS `1.8.0` import / `2.8.0` export; `1-b:1.8.0`, `01-00:01.08.00*FF` are accepted) | `register` (one register per record) |
//! | `RD[*].TM` (ISO 8601 with milliseconds and offset, sync state `S` required) | `intervalStart`: the meter interval holding the first reading; every reading must lie in `[start, start + intervalSeconds]` |
//! | `RD[last].RV - RD[first].RV` (`RU` `Wh` or `kWh`, converted exactly; no exponent, no fraction of a Wh) | `wh` |
//! | `PG` (`T<n>` or `F<n>`) | `counter` (`n`; strictly above the meter's last counter, as for native readings) |
//! | `SD` | `signature` (base64 of the DER bytes; it covers the OCMF payload, kept in the collection under `ocmf [meterId, intervalStart(12), register]`) |
//!
//! Every reading must have status `ST` `G` and no error flag `E`; values and times must not decrease. Fields a
//! reading omits because they equal the previous reading's (OCMF allows it) are carried forward. A record whose
//! readings straddle an interval boundary is refused: splitting its energy would credit an interval with energy no
//! reading measured there; chargers that sign clock-aligned values (OCPP `ClockAlignedDataInterval` 900) give one
//! record per interval.

pub mod fields;
pub mod record;
pub mod submit;

pub use record::{Mapped, OcmfError, OcmfReading, OcmfRecord};

#[cfg(test)]
pub(crate) mod tests;
