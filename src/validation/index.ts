export { validate, isValid, toIssues, formatIssues, type ValidationResult } from "./validate.js";
