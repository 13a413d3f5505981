//! Track 2 as it goes out: in the clear, or, when the terminal signs in with key mode `004`,
//! with the issuer's part encrypted under the track data key inside the security module
//! (see [`unipos_iso8583::cup::track`] for which bytes).

use crate::context::Ctx;
use crate::error::EngineError;
use std::sync::PoisonError;
use unipos_iso8583::cup::track;
use unipos_profile::KeyMode;
use zeroize::Zeroizing;

/// Field 35 for the card's track 2.
pub(super) fn for_wire(ctx: &Ctx, track2: &str) -> Result<Zeroizing<String>, EngineError> {
    if ctx.config.profile.key_mode != KeyMode::DoubleLengthWithTdk {
        return Ok(Zeroizing::new(track2.replace('=', "D")));
    }
    let unreadable =
        |why: String| EngineError::InvalidRequest(format!("track 2 from the card reader: {why}"));
    let mut packed = Zeroizing::new(Vec::with_capacity(20));
    let digits = track::pack(track2, &mut packed).map_err(|e| unreadable(e.to_string()))?;
    let at = track::encrypted_block(packed.len())
        .ok_or_else(|| unreadable(format!("{digits} characters are too few to encrypt")))?;
    let clear = Zeroizing::new(packed[at.clone()].to_vec());
    let encrypted = ctx
        .security
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .encrypt_track(&clear)?;
    packed[at].copy_from_slice(&encrypted);
    Ok(Zeroizing::new(track::text(&packed, digits)))
}
