// The admin JSON API for the merchant's pages, with the admin token kept in this tab only (session
// storage: gone when the tab closes) and sent to this shop's API, nowhere else.

const TOKEN_KEY = "atelier.adminToken";

export const adminToken = {
  get: () => window.sessionStorage.getItem(TOKEN_KEY),
  set: (token) => window.sessionStorage.setItem(TOKEN_KEY, token),
  clear: () => window.sessionStorage.removeItem(TOKEN_KEY),
};

/** A refused call: `status`, the problem document (`problem`, with its field `errors`) when there is one. */
export class AdminError extends Error {
  constructor(problem, status) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.problem = problem;
    this.status = status;
  }

  /** The token is missing, wrong, or lacks the scope: ask for another. */
  get refusedToken() {
    return this.status === 401 || this.status === 403;
  }

  fieldError(path) {
    return this.problem?.errors?.find((e) => e.field === path)?.detail ?? null;
  }
}

export class AdminApi {
  constructor(token) {
    this.token = token;
  }

  async call(method, path, { body, accept = "application/json" } = {}) {
    const headers = { Authorization: `Bearer ${this.token}`, Accept: accept };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) {
      let problem = null;
      try {
        problem = await response.json();
      } catch {
        // a body that is not a problem document: the status says enough
      }
      throw new AdminError(problem, response.status);
    }
    return accept === "text/csv" ? response.blob() : response.json();
  }

  get(path, accept = "application/json") {
    return this.call("GET", path, { accept });
  }

  post(path, body) {
    return this.call("POST", path, { body });
  }
}
