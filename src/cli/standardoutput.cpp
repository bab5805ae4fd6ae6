#include "standardoutput.h"

#include "engine/core/terminaltext.h"

#include <algorithm>
#include <cerrno>
#include <poll.h>
#include <unistd.h>

namespace finscope {

StandardOutput::StandardOutput(int fd, QObject *parent)
    : QIODevice(parent)
    , m_fd(fd)
{
    open(QIODevice::WriteOnly | QIODevice::Unbuffered);
}

qint64 StandardOutput::readData(char *, qint64)
{
    return -1;
}

qint64 StandardOutput::writeData(const char *data, qint64 size)
{
    // A slice at a time: `show` hands over a whole session in one write, which decoded and
    // escaped at once would be held three times more. The decoder carries a character cut
    // between two slices.
    constexpr qint64 Slice = 1 << 16;
    for (qint64 at = 0; at < size && !m_gone; at += Slice) {
        const QString text
            = m_decoder.decode(QByteArrayView(data + at, std::min(Slice, size - at)));
        const QByteArray safe = TerminalText::escaped(text, TerminalText::KeepNewlines).toUtf8();
        writeAll(safe.constData(), safe.size());
    }
    // Reported as written: QTextStream would otherwise keep the lines and try them again.
    return size;
}

bool StandardOutput::writeAll(const char *data, qint64 size)
{
    qint64 done = 0;
    while (!m_gone && done < size) {
        const ssize_t n = ::write(m_fd, data + done, size_t(size - done));
        if (n >= 0) {
            done += n;
        } else if (errno == EAGAIN) {
            // A terminal or pipe someone else set non-blocking: wait, as a blocking write would.
            pollfd p{m_fd, POLLOUT, 0};
            ::poll(&p, 1, -1);
        } else if (errno != EINTR) {
            m_gone = true;
        }
    }
    return !m_gone;
}

} // namespace finscope
