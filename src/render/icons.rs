//! The site's icon and web-app manifest: `favicon.ico` at the root (browsers
//! and feed readers ask for it even when pages name `static/favicon.svg`)
//! and `manifest.webmanifest`.

use serde_json::json;

use super::OutputFile;
use crate::content::SiteConfig;

/// Side of the generated icon, in pixels.
const SIDE: u32 = 32;

/// A 32×32 ICO of the theme's mark (three bars on the accent colour): a
/// BMP inside an ICO, built here so the binary carries no image files.
pub fn favicon_ico() -> Vec<u8> {
    let (bg, fg) = ([0xd0, 0x5f, 0x0b, 0xff], [0xff, 0xff, 0xff, 0xff]); // BGRA
    let mut pixels = Vec::with_capacity((SIDE * SIDE * 4) as usize);
    // BMP rows run bottom to top.
    for row in (0..SIDE).rev() {
        for col in 0..SIDE {
            let bar =
                |top: u32, right: u32| (top..top + 3).contains(&row) && (9..right).contains(&col);
            let corner = {
                let (dx, dy) = (col.min(SIDE - 1 - col), row.min(SIDE - 1 - row));
                dx + dy < 3
            };
            let px = if corner {
                [0, 0, 0, 0]
            } else if bar(9, 23) || bar(15, 23) || bar(21, 18) {
                fg
            } else {
                bg
            };
            pixels.extend(px);
        }
    }
    let mask_row = SIDE.div_ceil(32) * 4; // 1 bit a pixel, rows padded to 4 bytes
    let image_len = 40 + pixels.len() as u32 + mask_row * SIDE;
    let mut out = Vec::new();
    // ICONDIR and one ICONDIRENTRY.
    out.extend([0, 0, 1, 0, 1, 0]);
    out.extend([SIDE as u8, SIDE as u8, 0, 0, 1, 0, 32, 0]);
    out.extend(image_len.to_le_bytes());
    out.extend(22u32.to_le_bytes());
    // BITMAPINFOHEADER: height counts the XOR and AND masks together.
    out.extend(40u32.to_le_bytes());
    out.extend((SIDE as i32).to_le_bytes());
    out.extend((2 * SIDE as i32).to_le_bytes());
    out.extend(1u16.to_le_bytes());
    out.extend(32u16.to_le_bytes());
    out.extend([0u8; 24]);
    out.extend(pixels);
    out.extend(vec![0u8; (mask_row * SIDE) as usize]);
    out
}

/// The web-app manifest; its URLs are relative to it, so it works under any mount.
pub fn manifest(config: &SiteConfig) -> String {
    // The name before " · " when the title has one ("知库 · ICP 备案知识库" → "知库").
    let short = config
        .title
        .split(" · ")
        .next()
        .unwrap_or(&config.title)
        .trim();
    let value = json!({
        "name": config.title,
        "short_name": short,
        "description": config.description,
        "lang": config.language,
        "start_url": "./",
        "scope": "./",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b5fd0",
        "icons": [
            {"src": "static/favicon.svg", "sizes": "any", "type": "image/svg+xml"},
            {"src": "favicon.ico", "sizes": "32x32", "type": "image/x-icon"},
        ],
    });
    serde_json::to_string_pretty(&value).unwrap_or_default()
}

/// Both files.
pub fn files(config: &SiteConfig) -> Vec<OutputFile> {
    vec![
        OutputFile {
            path: "favicon.ico".into(),
            bytes: favicon_ico(),
        },
        OutputFile {
            path: "manifest.webmanifest".into(),
            bytes: manifest(config).into_bytes(),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ico_header_matches_its_size() {
        let ico = favicon_ico();
        assert_eq!(&ico[..4], &[0, 0, 1, 0]);
        let len = u32::from_le_bytes([ico[14], ico[15], ico[16], ico[17]]) as usize;
        assert_eq!(ico.len(), 22 + len);
    }
}
