#pragma once

// Colours that carry a meaning (held / failed, equivalent / different) and must stay readable on
// the palette in use, light or dark.

#include <QColor>
#include <QPalette>

namespace finscope {

inline bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

// A fact that held, a replay that matches.
inline QColor goodColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0x81, 0xc7, 0x84) : QColor(0x1b, 0x5e, 0x20);
}

// A fact that failed, a difference, a reset.
inline QColor badColor(const QPalette &palette)
{
    return isDarkPalette(palette) ? QColor(0xef, 0x9a, 0x9a) : QColor(0xb7, 0x1c, 0x1c);
}

// Text that is done with and steps back (a step already run), still readable.
inline QColor fadedTextColor(const QPalette &palette)
{
    QColor c = palette.color(QPalette::Text);
    c.setAlphaF(0.55f);
    return c;
}

} // namespace finscope
