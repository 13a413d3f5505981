package com.unipos.app.cashier

/** Display of integer fen as yuan (money stays `Long` fen everywhere else). */
object Money {
    /** 123456 -> "1,234.56" (grouping by thousands, always two decimals). */
    fun yuan(fen: Long): String {
        val sign = if (fen < 0) "-" else ""
        val v = kotlin.math.abs(fen)
        val whole = (v / 100).toString().reversed().chunked(3).joinToString(",").reversed()
        return "$sign$whole.${(v % 100).toString().padStart(2, '0')}"
    }
}

/**
 * The home screen's amount as the cashier keys it, fen-exact like a cash register: digits enter
 * from the right (1, 2, 3, 4 -> 12.34), no leading zeros, at most 9,999,999.99 yuan.
 */
class AmountEntry(fen: Long = 0) {
    var fen: Long = fen
        private set

    /** A digit key ("0".."9") or the double-zero key; false when it would exceed the maximum. */
    fun key(digits: String): Boolean {
        var next = fen
        for (c in digits) {
            require(c in '0'..'9')
            next = next * 10 + (c - '0')
            if (next > MAX_FEN) return false
        }
        fen = next
        return true
    }

    fun backspace() { fen /= 10 }

    fun clear() { fen = 0 }

    companion object {
        /** 9,999,999.99 yuan. */
        const val MAX_FEN = 999_999_999L
    }
}
