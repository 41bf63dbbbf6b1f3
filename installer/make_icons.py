"""Draw the application icon (ECG paper with a PQRST trace) and write the PNG / ICO / ICNS that
the bundle uses: ``.venv/bin/python installer/make_icons.py`` (needs Pillow; the files are
committed, so building does not)."""

from pathlib import Path

from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent / "icons"
SIZE = 1024


def draw() -> Image.Image:
    img = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((40, 40, SIZE - 40, SIZE - 40), radius=180, fill=(255, 236, 236, 255),
                        outline=(200, 60, 60, 255), width=24)
    for i in range(1, 8):  # 5 mm grid lines
        x = 40 + i * (SIZE - 80) // 8
        d.line((x, 60, x, SIZE - 60), fill=(240, 170, 170, 255), width=6)
        d.line((60, x, SIZE - 60, x), fill=(240, 170, 170, 255), width=6)
    base = SIZE * 0.58
    pts = [(90, base), (260, base), (300, base - 50), (340, base), (420, base), (450, base + 50),
           (510, base - 380), (570, base + 120), (610, base), (700, base), (770, base - 110),
           (840, base), (SIZE - 90, base)]
    d.line(pts, fill=(20, 20, 20, 255), width=38, joint="curve")
    return img


def main() -> None:
    HERE.mkdir(exist_ok=True)
    img = draw()
    img.resize((256, 256), Image.LANCZOS).save(HERE / "ecg-viewer.png")
    img.save(HERE / "ecg-viewer.ico", sizes=[(16, 16), (24, 24), (32, 32), (48, 48), (64, 64),
                                             (128, 128), (256, 256)])
    img.save(HERE / "ecg-viewer.icns")


if __name__ == "__main__":
    main()
