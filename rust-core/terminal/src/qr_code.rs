//! Rendering a dynamic code's URL: a matrix of modules the cashier screen can draw, and a PNG
//! for the desktop.

use crate::model::QrCodeImage;
use qrcode::{Color, EcLevel, QrCode};

/// Light modules around the symbol in the PNG (the standard's quiet zone).
const QUIET_ZONE: usize = 4;

/// Why a code could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The data does not fit in a QR code.
    #[error("cannot encode the QR code: {0}")]
    Encode(String),
    /// PNG encoding failed.
    #[error("cannot write the PNG: {0}")]
    Png(String),
}

/// Encodes `data` (error correction M) and renders it, `scale` pixels per module in the PNG.
///
/// # Errors
/// [`RenderError`] when the data is too long for a QR code or the PNG cannot be written.
pub fn render_qr(data: &str, scale: usize) -> Result<QrCodeImage, RenderError> {
    let code = QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M)
        .map_err(|e| RenderError::Encode(e.to_string()))?;
    let width = code.width();
    let modules: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    let png = png_bytes(&modules, width, scale.max(1))?;
    Ok(QrCodeImage {
        width,
        modules,
        png,
    })
}

fn png_bytes(modules: &[bool], width: usize, scale: usize) -> Result<Vec<u8>, RenderError> {
    let side_modules = width + 2 * QUIET_ZONE;
    let side = side_modules * scale;
    let side_u32 = u32::try_from(side).map_err(|_| RenderError::Png("image too large".into()))?;
    let mut pixels = vec![0xFFu8; side * side];
    for y in 0..width {
        for x in 0..width {
            if !modules[y * width + x] {
                continue;
            }
            for dy in 0..scale {
                let row = (y + QUIET_ZONE) * scale + dy;
                let start = row * side + (x + QUIET_ZONE) * scale;
                pixels[start..start + scale].fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side_u32, side_u32);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder
            .write_header()
            .map_err(|e| RenderError::Png(e.to_string()))?;
        writer
            .write_image_data(&pixels)
            .map_err(|e| RenderError::Png(e.to_string()))?;
        writer
            .finish()
            .map_err(|e| RenderError::Png(e.to_string()))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_a_url() {
        let img = render_qr("https://qr.unipos.example/pay/0123456789abcdef01234567", 4).unwrap();
        assert!(img.width >= 21 && (img.width - 17).is_multiple_of(4));
        assert_eq!(img.modules.len(), img.width * img.width);
        // Finder pattern: the top-left corner module is dark.
        assert!(img.is_dark(0, 0));
        assert!(!img.is_dark(img.width, 0));
        assert_eq!(&img.png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
