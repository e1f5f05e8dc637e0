import TOMLLite
