export * from "./add-images";
export * from "./file-name";
export * from "./image-probe";
export * from "./manage-datasets";
export * from "./read-dataset";
export * from "./remove-image";
export * from "./schema";
export * from "./thumbnail";
