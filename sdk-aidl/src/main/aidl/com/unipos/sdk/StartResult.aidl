/*
 * The immediate answer to IUniPosService.startTransaction: accepted or rejected. It is NOT the
 * transaction's outcome, which arrives through IUniPosCallback.onResult or queryByRequestId.
 * Compatibility rules: see TransRequest.aidl (append-only).
 */
package com.unipos.sdk;

parcelable StartResult {
    /** Contract version of the service. */
    int version = 1;
    /** The request id this answer is for (echo of TransRequest.requestId). */
    String requestId;
    /**
     * ErrorCodes.OK (0): accepted, a new transaction started; its result will follow.
     * ErrorCodes.REQUEST_IN_PROGRESS: this id is already running; wait for its result or query.
     * ErrorCodes.REQUEST_ALREADY_DONE: this id already has a final result; call queryByRequestId.
     * Any other code: rejected, nothing started, no money moved.
     */
    int errorCode;
    /** Human-readable text for logs and screens; never parse it. */
    String message;
}
