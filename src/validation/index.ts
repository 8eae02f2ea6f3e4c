export { validate, isValid, toIssues, formatIssues, MAX_LISTED_ERRORS, type ValidationResult } from "./validate.js";
