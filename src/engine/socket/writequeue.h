#pragma once

// The user's pending writes on one end (literal bytes, a repeating pattern, a streamed file) as a
// plain state machine with no socket: it says what to offer the kernel next, takes back how much
// the kernel took (a partial send continues where it stopped, a pattern across chunks, a file a
// block at a time), holds a FIN that waits for the queue to drain, and counts the stream.

#include "engine/core/event.h"

#include <QByteArray>
#include <QString>

#include <deque>
#include <memory>
#include <optional>

class QFile;

namespace finscope {

class WriteQueue
{
public:
    // Large enough that a 4 GiB transfer is a few thousand syscalls, small enough to keep the
    // loop responsive between activations.
    static constexpr qint64 MaxChunk = 256 * 1024;

    // One write as the user asked for it.
    class Item
    {
    public:
        static Item bytes(const QByteArray &data);
        static Item pattern(qint64 count);
        // file: open, not sequential; streamed from where it stands, size() bytes.
        static Item file(std::unique_ptr<QFile> file);
        // What send-file can send: a readable regular file, opened; nullptr and *error (one
        // sentence) otherwise. A FIFO is refused before opening it, which would block.
        static std::unique_ptr<QFile> openFile(const QString &path, QString *error);
        Item(Item &&) noexcept;
        Item &operator=(Item &&) noexcept;
        ~Item();

        qint64 size() const { return m_size; }
        // What the first offer to the kernel would hold, without reading a file (empty then):
        // the probe send() hands the kernel after the write side is shut down.
        QByteArray firstBlock() const;

    private:
        friend class WriteQueue;
        Item() = default;

        QByteArray m_bytes; // literal data, or the current block read from the file
        qsizetype m_pos = 0;
        qint64 m_patternLeft = 0;
        std::unique_ptr<QFile> m_file;
        qint64 m_fileLeft = 0;
        qint64 m_size = 0;
    };

    // The next block to offer the kernel, at most MaxChunk bytes. When the front item is a file
    // whose read failed, readError says why and nothing is offered: record it, then dropFront().
    struct Offer
    {
        QByteArray block;
        QString readError;
    };

    WriteQueue();
    ~WriteQueue();

    // An empty item is not queued.
    void push(Item item);
    bool isEmpty() const { return m_items.empty(); }
    // Bytes accepted from the user and not yet taken by the kernel.
    qint64 bytes() const { return m_bytes; }
    // Stream offset of the next byte sent: the bytes the kernel has taken so far.
    qint64 sentOffset() const { return m_sentOffset; }

    // Only when !isEmpty().
    Offer next();
    // The kernel took bytes of the last offer (all of it, or the first part of a partial send).
    // Returns the stream offset they start at; the front item goes once it is all sent.
    qint64 take(qint64 bytes);
    // Counts bytes sent outside the queue (a send after SHUT_WR that a kernel took); returns the
    // offset they start at.
    qint64 countSent(qint64 bytes);
    // Drops the front item (its file could not be read); returns the bytes that will never be sent.
    qint64 dropFront();
    // Drops every item and a waiting FIN; returns the bytes that will never be sent.
    qint64 clear();

    // The FIN of shutdown wr (or rdwr) waits here until the queue has drained.
    void holdShutdown(ShutdownHow how) { m_pendingShutdown = how; }
    // The held shutdown, once, when the queue is empty; None otherwise.
    ShutdownHow takeDueShutdown();

private:
    std::deque<Item> m_items;
    qint64 m_bytes = 0;
    qint64 m_sentOffset = 0;
    ShutdownHow m_pendingShutdown = ShutdownHow::None;
};

} // namespace finscope
