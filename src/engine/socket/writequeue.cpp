#include "engine/socket/writequeue.h"

#include <QFile>
#include <QFileInfo>

namespace finscope {

namespace {

// 64 printable bytes repeated: recognisable in a hex dump, and offset-addressable without a
// buffer the size of the transfer.
const QByteArray &patternBlock()
{
    static const QByteArray block = [] {
        const QByteArray unit = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-\n";
        QByteArray out;
        out.reserve(WriteQueue::MaxChunk + unit.size());
        while (out.size() < WriteQueue::MaxChunk + unit.size())
            out += unit;
        return out;
    }();
    return block;
}

} // namespace

WriteQueue::Item WriteQueue::Item::bytes(const QByteArray &data)
{
    Item item;
    item.m_bytes = data;
    item.m_size = data.size();
    return item;
}

WriteQueue::Item WriteQueue::Item::pattern(qint64 count)
{
    Item item;
    item.m_patternLeft = count;
    item.m_size = count;
    return item;
}

WriteQueue::Item WriteQueue::Item::file(std::unique_ptr<QFile> file)
{
    Item item;
    item.m_fileLeft = file->size();
    item.m_size = item.m_fileLeft;
    item.m_file = std::move(file);
    return item;
}

std::unique_ptr<QFile> WriteQueue::Item::openFile(const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (info.exists() && !info.isFile()) {
        *error = QStringLiteral("send-file: '%1' is not a regular file").arg(path);
        return nullptr;
    }
    auto file = std::make_unique<QFile>(path);
    if (!file->open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("send-file: cannot open '%1': %2").arg(path, file->errorString());
        return nullptr;
    }
    if (file->isSequential()) {
        *error = QStringLiteral("send-file: '%1' is not a regular file").arg(path);
        return nullptr;
    }
    return file;
}

WriteQueue::Item::Item(Item &&) noexcept = default;
WriteQueue::Item &WriteQueue::Item::operator=(Item &&) noexcept = default;
WriteQueue::Item::~Item() = default;

QByteArray WriteQueue::Item::firstBlock() const
{
    if (m_patternLeft > 0)
        return patternBlock().left(qsizetype(std::min(m_patternLeft, MaxChunk)));
    if (!m_file)
        return m_bytes.left(qsizetype(MaxChunk));
    return {}; // a file is probed with a 0-byte send, which Linux refuses the same way
}

WriteQueue::WriteQueue() = default;
WriteQueue::~WriteQueue() = default;

void WriteQueue::push(Item item)
{
    if (item.size() == 0)
        return;
    m_bytes += item.size();
    m_items.push_back(std::move(item));
}

WriteQueue::Offer WriteQueue::next()
{
    Item &item = m_items.front();
    Offer offer;
    if (item.m_patternLeft > 0) {
        const qint64 len = std::min(item.m_patternLeft, MaxChunk);
        // The pattern continues from where this item left off: byte i of the item is unit[i % 64].
        offer.block = QByteArray::fromRawData(patternBlock().constData() + (item.m_pos % 64),
                                              qsizetype(len));
    } else {
        if (item.m_file && item.m_pos >= item.m_bytes.size()) {
            item.m_bytes = item.m_file->read(std::min(item.m_fileLeft, MaxChunk));
            item.m_pos = 0;
            if (item.m_bytes.isEmpty()) {
                offer.readError = QStringLiteral("send-file: reading '%1' failed: %2")
                                      .arg(item.m_file->fileName(), item.m_file->errorString());
                return offer;
            }
        }
        const qint64 len = std::min<qint64>(item.m_bytes.size() - item.m_pos, MaxChunk);
        offer.block = (item.m_pos == 0 && len == item.m_bytes.size())
                          ? item.m_bytes
                          : item.m_bytes.mid(item.m_pos, len);
    }
    return offer;
}

qint64 WriteQueue::take(qint64 bytes)
{
    Item &item = m_items.front();
    const qint64 offset = countSent(bytes);
    m_bytes -= bytes;
    bool done;
    if (item.m_patternLeft > 0) {
        item.m_patternLeft -= bytes;
        item.m_pos += bytes;
        done = item.m_patternLeft == 0;
    } else {
        item.m_pos += bytes;
        if (item.m_file)
            item.m_fileLeft -= bytes;
        done = item.m_pos >= item.m_bytes.size() && (!item.m_file || item.m_fileLeft == 0);
    }
    if (done)
        m_items.pop_front();
    return offset;
}

qint64 WriteQueue::countSent(qint64 bytes)
{
    const qint64 offset = m_sentOffset;
    m_sentOffset += bytes;
    return offset;
}

qint64 WriteQueue::dropFront()
{
    Item &item = m_items.front();
    // What is left of the item: a file's unread rest (its current block was all sent, or it
    // would not have been read again), or a pattern's or literal's unsent tail.
    const qint64 lost = item.m_file              ? item.m_fileLeft
                        : item.m_patternLeft > 0 ? item.m_patternLeft
                                                 : item.m_bytes.size() - item.m_pos;
    m_bytes -= lost;
    m_items.pop_front();
    return lost;
}

qint64 WriteQueue::clear()
{
    const qint64 lost = m_bytes;
    m_items.clear();
    m_bytes = 0;
    m_pendingShutdown = ShutdownHow::None;
    return lost;
}

ShutdownHow WriteQueue::takeDueShutdown()
{
    if (!m_items.empty())
        return ShutdownHow::None;
    const ShutdownHow how = m_pendingShutdown;
    m_pendingShutdown = ShutdownHow::None;
    return how;
}

} // namespace finscope
