package com.unipos.core

import com.unipos.core.ffi.PosException
import com.unipos.core.ffi.errorCode
import com.unipos.core.ffi.errorReason

/**
 * The result of a core call: a value, or a failure with the stable contract code
 * (`com.unipos.sdk.ErrorCodes`: 1xxx caller, 2xxx declined, 3xxx communication, 4xxx device,
 * 5xxx internal). A host decline is NOT a failure: it is a [Success] whose outcome has
 * `status == DECLINED` and a 2xxx `errorCode`.
 */
sealed class PosResult<out T> {
    data class Success<out T>(val value: T) : PosResult<T>()

    data class Failure(
        /** Stable numeric code (same table as the AIDL and Intent results). */
        val code: Int,
        /** Text safe to show; never contains a full card number, track data, PIN or key. */
        val message: String,
        /** The exception from the core, for logs and `when` on its type. */
        val cause: Throwable? = null,
    ) : PosResult<Nothing>() {
        /** True when the caller cannot know whether money moved: query the request id later. */
        val outcomeUnknown: Boolean get() = code == RESULT_UNKNOWN || code == REQUEST_IN_PROGRESS
    }

    val isSuccess: Boolean get() = this is Success

    fun getOrNull(): T? = (this as? Success)?.value

    fun getOrThrow(): T = when (this) {
        is Success -> value
        is Failure -> throw IllegalStateException("core call failed: $code $message", cause)
    }

    inline fun <R> map(f: (T) -> R): PosResult<R> = when (this) {
        is Success -> Success(f(value))
        is Failure -> this
    }

    companion object {
        const val REQUEST_IN_PROGRESS = 1002
        const val RESULT_UNKNOWN = 3003
        const val INTERNAL_ERROR = 5001

        /** Runs [block], turning every exception into a [Failure] (never rethrows). */
        inline fun <T> catching(block: () -> T): PosResult<T> = try {
            Success(block())
        } catch (e: PosException) {
            Failure(errorCode(e), reasonOf(e), e)
        } catch (e: Throwable) {
            // uniffi's InternalException (a Rust panic), JNA errors...: an internal error.
            Failure(INTERNAL_ERROR, "internal error: ${e.javaClass.simpleName}", e)
        }

        /** The safe text of [e], from the core (one list of variants, in Rust). */
        fun reasonOf(e: PosException): String = errorReason(e)
    }
}
