//! The finance kernel: time value of money, NPV, IRR, payback and the TEI summary.
//!
//! Everything here works in f64 (money is converted at the edge and rounded only when shown)
//! and is pure: no I/O, no logging. Conventions are named where they differ between tools:
//! [`NpvConvention`] for the first period of NPV, [`When`] for annuity payments, actual
//! days / 365 from the earliest date for XNPV and XIRR. Rates are per period as fractions
//! (0.1 is 10%) and must be above −1.

mod error;
mod irr;
mod npv;
mod payback;
mod roots;
mod tei;
mod tvm;

pub use error::{FinanceError, Result};
pub use irr::{DEFAULT_GUESS, Irr, irr, mirr, xirr};
pub use npv::{DAYS_PER_YEAR, Flow, NpvConvention, npv, xnpv, year_fraction};
pub use payback::{Payback, discounted_payback, payback};
pub use tei::{TeiColumn, TeiInput, TeiRisk, TeiSummary, tei};
pub use tvm::{MAX_RATE_PERIODS, When, fv, ipmt, nper, pmt, ppmt, pv, rate};
