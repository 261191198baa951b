//! Time value of money: PV, FV, PMT, NPER, RATE, IPMT and PPMT of a level annuity.
//!
//! All of them solve the one annuity equation, with Excel's and numpy-financial's signs
//! (money paid out is negative):
//!
//! `pv·(1 + r)^n + pmt·(1 + r·w)·((1 + r)^n − 1) / r + fv = 0`
//!
//! where `w` is 0 when payments fall at the end of each period and 1 at the beginning; at
//! `r = 0` the middle term is `pmt·n`. `(1 + r)^n − 1` is computed as `expm1(n·ln1p(r))` so
//! that small rates keep their precision.

use serde::{Deserialize, Serialize};

use super::error::{FinanceError, Result, check_finite, check_rate};
use super::irr::irr;

/// The longest annuity that [`rate`] accepts, in periods.
pub const MAX_RATE_PERIODS: u32 = 1_000_000;

/// When in each period a payment falls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum When {
    /// At the end of each period (an ordinary annuity), Excel's type 0.
    #[default]
    End,
    /// At the beginning of each period (an annuity due), Excel's type 1.
    Begin,
}

impl When {
    fn weight(self) -> f64 {
        match self {
            When::End => 0.0,
            When::Begin => 1.0,
        }
    }
}

/// `(1 + r)^n` and the annuity factor `(1 + r·w)·((1 + r)^n − 1) / r` (or `n` at `r = 0`).
fn factors(rate: f64, nper: f64, when: When) -> (f64, f64) {
    let growth = nper * rate.ln_1p();
    let compound = growth.exp();
    let annuity =
        if rate == 0.0 { nper } else { (1.0 + rate * when.weight()) * growth.exp_m1() / rate };
    (compound, annuity)
}

/// Checks the inputs common to the annuity functions.
fn check(rate: f64, numbers: &[(&str, f64)]) -> Result<()> {
    check_rate("rate", rate)?;
    for (name, value) in numbers {
        check_finite(name, &[*value])?;
    }
    Ok(())
}

/// Turns a non-finite result into an error naming the function.
fn finite(name: &str, value: f64) -> Result<f64> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(FinanceError::Undefined(format!("{name} has no finite value for these inputs")))
    }
}

/// The future value: `fv = −(pv·(1 + r)^n + pmt·(1 + r·w)·((1 + r)^n − 1) / r)`.
///
/// # Errors
///
/// `invalid_input` for a rate not above −1 or a number that is not finite.
pub fn fv(rate: f64, nper: f64, pmt: f64, pv: f64, when: When) -> Result<f64> {
    check(rate, &[("nper", nper), ("pmt", pmt), ("pv", pv)])?;
    let (compound, annuity) = factors(rate, nper, when);
    finite("fv", -(pv * compound + pmt * annuity))
}

/// The present value: `pv = −(fv + pmt·(1 + r·w)·((1 + r)^n − 1) / r) / (1 + r)^n`.
///
/// # Errors
///
/// `invalid_input` for a rate not above −1 or a number that is not finite.
pub fn pv(rate: f64, nper: f64, pmt: f64, fv: f64, when: When) -> Result<f64> {
    check(rate, &[("nper", nper), ("pmt", pmt), ("fv", fv)])?;
    let (compound, annuity) = factors(rate, nper, when);
    finite("pv", -(fv + pmt * annuity) / compound)
}

/// The level payment: `pmt = −(fv + pv·(1 + r)^n) · r / ((1 + r·w)·((1 + r)^n − 1))`, or
/// `−(fv + pv) / n` at `r = 0`.
///
/// # Errors
///
/// `invalid_input` for a rate not above −1 or a number that is not finite; `undefined` when
/// `nper` is zero.
pub fn pmt(rate: f64, nper: f64, pv: f64, fv: f64, when: When) -> Result<f64> {
    check(rate, &[("nper", nper), ("pv", pv), ("fv", fv)])?;
    if nper == 0.0 {
        return Err(FinanceError::Undefined("pmt needs nper other than zero".into()));
    }
    let (compound, annuity) = factors(rate, nper, when);
    finite("pmt", -(fv + pv * compound) / annuity)
}

/// The number of periods: `n = ln((z − fv) / (pv + z)) / ln(1 + r)` with
/// `z = pmt·(1 + r·w) / r`, or `n = −(fv + pv) / pmt` at `r = 0`.
///
/// # Errors
///
/// `invalid_input` for a rate not above −1 or a number that is not finite; `no_solution`
/// when no number of periods reaches `fv` (for example a zero payment at a zero rate, or
/// payments too small to cover the interest).
pub fn nper(rate: f64, pmt: f64, pv: f64, fv: f64, when: When) -> Result<f64> {
    check(rate, &[("pmt", pmt), ("pv", pv), ("fv", fv)])?;
    let never = || {
        FinanceError::NoSolution(
            "no number of periods reaches fv with this rate, payment and present value".into(),
        )
    };
    if rate == 0.0 {
        if pmt == 0.0 {
            return Err(never());
        }
        return finite("nper", -(fv + pv) / pmt).map_err(|_| never());
    }
    let z = pmt * (1.0 + rate * when.weight()) / rate;
    let ratio = (z - fv) / (pv + z);
    if !(ratio.is_finite() && ratio > 0.0) {
        return Err(never());
    }
    finite("nper", ratio.ln() / rate.ln_1p()).map_err(|_| never())
}

/// The rate per period of an annuity of `nper` whole periods: every root `r > −1` of the
/// annuity equation, found as the IRR of the flows it describes; the default root (the
/// smallest non-negative, else the negative closest to zero) is returned.
///
/// `guess` only changes where the search starts.
///
/// # Errors
///
/// `invalid_input` for `nper` of zero or above [`MAX_RATE_PERIODS`], a number that is not
/// finite or a guess not above −1; `no_sign_change` when `pv`, `pmt` and `fv` are of one sign
/// (a loan cannot be repaid by further withdrawals); `no_root` and `infinite_roots` as for
/// [`irr`].
pub fn rate(nper: u32, pmt: f64, pv: f64, fv: f64, when: When, guess: Option<f64>) -> Result<f64> {
    check_finite("pmt", &[pmt])?;
    check_finite("pv", &[pv])?;
    check_finite("fv", &[fv])?;
    if nper == 0 || nper > MAX_RATE_PERIODS {
        return Err(FinanceError::InvalidInput(format!(
            "nper must be a whole number of periods from 1 to {MAX_RATE_PERIODS}, got {nper}"
        )));
    }

    // The annuity as a series of flows at periods 0..=n.
    let n = usize::try_from(nper)
        .map_err(|_| FinanceError::InvalidInput("nper is too large".into()))?;
    let mut flows = vec![pmt; n + 1];
    match when {
        When::End => {
            flows[0] = pv;
            flows[n] += fv;
        }
        When::Begin => {
            flows[0] += pv;
            flows[n] = fv;
        }
    }
    irr(&flows, guess).map(|found| found.rate).map_err(|e| match e {
        FinanceError::NoSignChange(_) => FinanceError::NoSignChange(
            "pv, pmt and fv are all of one sign, so no rate balances them".into(),
        ),
        other => other,
    })
}

/// The interest part of the payment in period `per` (1-based) of `nper`.
///
/// `ipmt = −B(per − 1)·r` where `B(k) = −fv(r, k, pmt, pv, w)` is the balance after `k`
/// payments; with payments at the beginning, the first period has no interest and later
/// ones are divided by `1 + r`. Excel's `IPMT` and numpy-financial's `ipmt` agree.
///
/// # Errors
///
/// `invalid_input` when `per` is not from 1 to `nper`, as for [`pmt`] otherwise.
pub fn ipmt(rate: f64, per: u32, nper: f64, pv: f64, fv: f64, when: When) -> Result<f64> {
    let payment = pmt(rate, nper, pv, fv, when)?;
    let per = f64::from(per);
    if per < 1.0 || per > nper {
        return Err(FinanceError::InvalidInput(format!(
            "per must be a period from 1 to nper ({nper}), got {per}"
        )));
    }
    let balance = self::fv(rate, per - 1.0, payment, pv, when)?;
    let interest = balance * rate;
    Ok(match when {
        When::End => interest,
        When::Begin if per < 2.0 => 0.0,
        When::Begin => interest / (1.0 + rate),
    })
}

/// The principal part of the payment in period `per` (1-based): `ppmt = pmt − ipmt`.
///
/// # Errors
///
/// As for [`ipmt`].
pub fn ppmt(rate: f64, per: u32, nper: f64, pv: f64, fv: f64, when: When) -> Result<f64> {
    Ok(pmt(rate, nper, pv, fv, when)? - ipmt(rate, per, nper, pv, fv, when)?)
}
