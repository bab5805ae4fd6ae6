#include "render/timelinestyle.h"

namespace finscope {

TimelineStyle::TimelineStyle(const QPalette &palette, bool highContrast)
    : m_palette(palette)
    , m_highContrast(highContrast)
{}

bool TimelineStyle::isDark(const QPalette &palette)
{
    return palette.color(QPalette::Base).lightness() < 128;
}

QColor TimelineStyle::stateHue(TcpState state)
{
    switch (state) {
    case TcpState::Established:
        return QColor(0x4c, 0xaf, 0x50);
    case TcpState::FinWait1:
    case TcpState::FinWait2:
        return QColor(0x42, 0x85, 0xf4);
    case TcpState::CloseWait:
        return QColor(0xff, 0x98, 0x00);
    case TcpState::LastAck:
    case TcpState::Closing:
        return QColor(0xab, 0x47, 0xbc);
    case TcpState::TimeWait:
        return QColor(0x00, 0x96, 0x88);
    case TcpState::Close:
        return QColor(0x9e, 0x9e, 0x9e);
    default:
        return QColor(0xbd, 0xbd, 0xbd);
    }
}

QColor TimelineStyle::stateBand(TcpState state) const
{
    const QColor hue = stateHue(state);
    if (m_highContrast)
        return hue.darker(130);
    return isDark() ? hue.darker(160) : hue.lighter(150);
}

QColor TimelineStyle::stateBandText() const
{
    return m_highContrast ? QColor(Qt::white) : m_palette.color(QPalette::Text);
}

QColor TimelineStyle::stateBadge(TcpState state) const
{
    // Light on any palette: a badge carries its own text colour (badgeText).
    return stateHue(state).lighter(150);
}

QColor TimelineStyle::badgeText(const QColor &background)
{
    return background.lightness() > 140 ? QColor(Qt::black) : QColor(Qt::white);
}

QColor TimelineStyle::resetBadge() const
{
    return kindColor(EventKind::Rst);
}

QColor TimelineStyle::quietBadge() const
{
    return QColor(0xcf, 0xd8, 0xdc);
}

QColor TimelineStyle::kindColor(EventKind kind) const
{
    switch (kind) {
    case EventKind::Send:
        return QColor(0x1e, 0x88, 0xe5);
    case EventKind::Recv:
        return QColor(0x43, 0xa0, 0x47);
    case EventKind::Rst:
    case EventKind::Abort:
        return QColor(0x8b, 0x00, 0x00);
    case EventKind::Error:
        return QColor(0xe6, 0x51, 0x00);
    default:
        return m_palette.color(QPalette::Text);
    }
}

QColor TimelineStyle::kindTextColor(EventKind kind) const
{
    switch (kind) {
    case EventKind::Rst:
    case EventKind::Abort:
        return bad();
    case EventKind::Error:
        return isDark() ? QColor(0xff, 0xb7, 0x4d) : kindColor(kind);
    default:
        return QColor();
    }
}

QColor TimelineStyle::arrowColor() const
{
    QColor c = m_palette.color(QPalette::Text);
    c.setAlpha(m_highContrast ? 220 : 120);
    return c;
}

QColor TimelineStyle::selectionColor() const
{
    return m_palette.color(QPalette::Highlight);
}

QColor TimelineStyle::markedLaneTint() const
{
    QColor c = markedLaneEdge();
    c.setAlpha(38);
    return c;
}

QColor TimelineStyle::markedLaneEdge() const
{
    return QColor(0xc6, 0x28, 0x28);
}

QColor TimelineStyle::good() const
{
    return isDark() ? QColor(0x81, 0xc7, 0x84) : QColor(0x1b, 0x5e, 0x20);
}

QColor TimelineStyle::bad() const
{
    return isDark() ? QColor(0xef, 0x9a, 0x9a) : QColor(0xb7, 0x1c, 0x1c);
}

QColor TimelineStyle::faded() const
{
    // Opaque, so it also serves where alpha is ignored (rich text).
    const QColor text = m_palette.color(QPalette::Text);
    const QColor base = m_palette.color(QPalette::Base);
    const auto mix = [](int a, int b) { return int(a * 0.55 + b * 0.45); };
    return QColor(mix(text.red(), base.red()),
                  mix(text.green(), base.green()),
                  mix(text.blue(), base.blue()));
}

QString TimelineStyle::formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    if (bytes < qint64(1) << 30)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1 << 30), 0, 'f', 2);
}

} // namespace finscope
